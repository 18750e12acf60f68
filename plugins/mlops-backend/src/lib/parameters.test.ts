import { InputError } from '@backstage/errors';
import { MLModelTrainingParameter } from '@synth/plugin-mlops-common';
import {
  parameterArgs,
  requireTraining,
  resolveParameters,
} from './parameters';

const declared: MLModelTrainingParameter[] = [
  { name: 'epochs', type: 'integer', default: 3, minimum: 1, maximum: 10 },
  { name: 'lr', type: 'number', enum: [0.1, 0.01] },
  { name: 'objective', type: 'string', default: 'auc' },
  { name: 'balance', type: 'boolean', default: false },
];

describe('resolveParameters', () => {
  it('fills declared defaults and keeps given values', () => {
    expect(resolveParameters(declared, { lr: 0.01 })).toEqual({
      epochs: 3,
      lr: 0.01,
      objective: 'auc',
      balance: false,
    });
    expect(
      resolveParameters(declared, { epochs: 10, balance: true }),
    ).toMatchObject({
      epochs: 10,
      balance: true,
    });
    expect(resolveParameters(undefined, {})).toEqual({});
  });

  it('names every undeclared and ill-typed parameter in one error', () => {
    let error: Error | undefined;
    try {
      resolveParameters(declared, {
        epochs: 2.5,
        lr: 0.5,
        objective: 7,
        balance: 'yes',
        extra: 1,
        other: 2,
      });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toBe(
      "Invalid training parameters: undeclared parameters 'extra', 'other' (declared: epochs, lr, objective, balance); " +
        "'epochs' must be an integer, got 2.5; 'lr' must be one of 0.1, 0.01, got 0.5; " +
        "'objective' must be a string, got 7; 'balance' must be a boolean, got \"yes\"",
    );
  });

  it('checks bounds and rejects non-finite numbers', () => {
    expect(() => resolveParameters(declared, { epochs: 0 })).toThrow(
      "'epochs' must be at least 1, got 0",
    );
    expect(() => resolveParameters(declared, { epochs: 11 })).toThrow(
      "'epochs' must be at most 10, got 11",
    );
    expect(() =>
      resolveParameters([{ name: 'x', type: 'number' }], { x: Number.NaN }),
    ).toThrow("'x' must be a number");
    expect(() => resolveParameters([], { x: 1 })).toThrow('(declared: none)');
  });

  it('turns parameters into --name value arguments', () => {
    expect(parameterArgs({ epochs: 3, balance: false, name: 'a b' })).toEqual([
      '--epochs',
      '3',
      '--balance',
      'false',
      '--name',
      'a b',
    ]);
  });
});

describe('requireTraining', () => {
  const entity = (spec: object) =>
    ({
      apiVersion: 'mlops.synth.dev/v1alpha1',
      kind: 'MLModel',
      metadata: { name: 'm' },
      spec,
    } as any);

  it('names the missing field', () => {
    expect(() => requireTraining(entity({}), 'mlmodel:default/m')).toThrow(
      'mlmodel:default/m has no training config: spec.training is missing',
    );
    expect(() =>
      requireTraining(entity({ training: { workingDir: '.' } }), 'm'),
    ).toThrow('spec.training.entrypoint is missing');
    expect(() =>
      requireTraining(entity({ training: { entrypoint: 'python x.py' } }), 'm'),
    ).toThrow('spec.training.workingDir is missing');
    expect(() =>
      requireTraining(
        entity({
          training: { entrypoint: 'x', workingDir: '.', engine: 'spark' },
        }),
        'm',
      ),
    ).toThrow("spec.training.engine 'spark' is not supported");
  });
});
