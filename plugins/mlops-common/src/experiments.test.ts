import {
  ANNOTATION_MLFLOW_ALIASES,
  ANNOTATION_MLFLOW_LATEST_VERSION,
  parseMlflowAliases,
} from './experiments';

describe('MLflow import annotations', () => {
  it('live under the project group', () => {
    expect(ANNOTATION_MLFLOW_LATEST_VERSION).toBe(
      'mlops.synth.dev/mlflow-latest-version',
    );
    expect(ANNOTATION_MLFLOW_ALIASES).toBe('mlops.synth.dev/mlflow-aliases');
  });

  it('parses the aliases annotation in its order', () => {
    expect(parseMlflowAliases('challenger=8,champion=7')).toEqual([
      { alias: 'challenger', version: '8' },
      { alias: 'champion', version: '7' },
    ]);
  });

  it.each([
    [undefined, []],
    ['', []],
    ['=3,champion=,=,nope', []],
    [
      ' live = 2 ,,x=1',
      [
        { alias: 'live', version: '2' },
        { alias: 'x', version: '1' },
      ],
    ],
  ])('skips malformed items of %p', (value, expected) => {
    expect(parseMlflowAliases(value)).toEqual(expected);
  });
});
