import fixture from '../__fixtures__/scipy-cases.json';
import { BOUNDARY_CASES, CaseSpec, Dtype } from '../__testUtils__/cases';
import { expectPValue, expectStatistic } from '../__testUtils__/expect';
import { toColumnData } from '../__testUtils__/presetCases';
import {
  fromJsonNumber,
  JsonValue,
  materialize,
  SampleSpec,
} from '../__testUtils__/samples';
import { ColumnTask, computeColumnDrift } from './columnDrift';
import { DRIFT_METHOD_INFO } from './methods';
import { DriftMethod } from './types';

jest.setTimeout(60_000);

type Expected = Record<string, JsonValue | boolean>;
const cases = fixture.cases as unknown as Array<{
  spec: CaseSpec;
  expected: Expected;
}>;

function columnType(
  featureType: 'num' | 'cat',
  dtype: Dtype,
): ColumnTask['type'] {
  if (featureType === 'num') {
    return 'numerical';
  }
  return dtype === 'bool' ? 'boolean' : 'categorical';
}

function task(
  ref: SampleSpec,
  cur: SampleSpec,
  featureType: 'num' | 'cat',
  dtype: Dtype,
  extra: Partial<ColumnTask> = {},
): ColumnTask {
  return {
    column: 'x',
    type: columnType(featureType, dtype),
    reference: toColumnData(materialize(ref), dtype),
    current: toColumnData(materialize(cur), dtype),
    referenceName: 'reference',
    currentName: 'current',
    maxHistogramCategories: 50,
    ...extra,
  };
}

function score(result: ReturnType<typeof computeColumnDrift>): number {
  return DRIFT_METHOD_INFO[result.method].kind === 'p-value'
    ? result.pValue!
    : result.statistic;
}

describe(`Evidently ${fixture.versions.evidently} stattests on the same data`, () => {
  const stattests = cases.filter(
    c => c.spec.op === 'evidently_stattest',
  ) as Array<{
    spec: Extract<CaseSpec, { op: 'evidently_stattest' }>;
    expected: Expected;
  }>;

  it('covers every method on numerical and categorical data', () => {
    const seen = new Set(
      stattests.map(c => `${c.spec.feature_type}:${c.spec.method}`),
    );
    for (const method of Object.keys(DRIFT_METHOD_INFO) as DriftMethod[]) {
      for (const type of DRIFT_METHOD_INFO[method].featureTypes) {
        expect(seen).toContain(
          `${type === 'numerical' ? 'num' : 'cat'}:${method}`,
        );
      }
    }
  });

  it.each(stattests.map(c => [c.spec.id, c] as const))(
    '%s',
    (_id, { spec, expected }) => {
      const result = computeColumnDrift(
        task(spec.ref, spec.cur, spec.feature_type, spec.dtype, {
          method: spec.method,
          threshold: spec.threshold,
        }),
      );
      const expectedScore = fromJsonNumber(expected.score as JsonValue);
      const isPValue = DRIFT_METHOD_INFO[spec.method].kind === 'p-value';
      const check = isPValue ? expectPValue : expectStatistic;
      check(
        isPValue ? result.pValue! : result.statistic,
        expectedScore,
        spec.id,
      );
      expect(result.pValue === null).toBe(!isPValue);
      expect(result.threshold).toBe(
        fromJsonNumber(expected.threshold as JsonValue),
      );
      expect(result.drifted).toBe(expected.drifted);
    },
  );
});

describe("Evidently's default test selection", () => {
  const selections = cases.filter(
    c => c.spec.op === 'evidently_default',
  ) as Array<{
    spec: Extract<CaseSpec, { op: 'evidently_default' }>;
    expected: Expected;
  }>;

  it('includes the row and distinct-value boundaries', () => {
    const methods = new Set(selections.map(c => c.expected.method));
    expect([...methods].sort()).toEqual([
      'chisquare',
      'jensenshannon',
      'ks',
      'wasserstein',
      'z',
    ]);
    expect(selections.map(c => c.spec.id)).toEqual(
      expect.arrayContaining([
        'select-num-1000rows-5unique',
        'select-num-1000rows-6unique',
        'select-num-1001rows-6unique',
        'select-num-1001rows-one-nan',
        'select-cat-1000rows-2unique',
        'select-cat-1000rows-3unique',
      ]),
    );
  });

  it.each(selections.map(c => [c.spec.id, c] as const))(
    '%s',
    (_id, { spec, expected }) => {
      const result = computeColumnDrift(
        task(spec.ref, spec.cur, spec.feature_type, spec.dtype),
      );
      expect(result.method).toBe(expected.method);
      expect(result.methodSource).toBe('default');
    },
  );
});

describe('comparison operators at p (or d) exactly equal to the threshold', () => {
  const boundaries = fixture.boundaries as unknown as Array<{
    spec: (typeof BOUNDARY_CASES)[number];
    score: number;
    drifted_at_score: boolean;
  }>;

  it('match Evidently: ks drifts (p ≤ t), chisquare and z do not (p < t), distances drift (d ≥ t)', () => {
    expect(
      Object.fromEntries(
        boundaries.map(b => [b.spec.method, b.drifted_at_score]),
      ),
    ).toEqual({
      ks: true,
      chisquare: false,
      z: false,
      wasserstein: true,
      jensenshannon: true,
    });
  });

  it.each(boundaries.map(b => [b.spec.id, b] as const))('%s', (_id, b) => {
    const base = computeColumnDrift(
      task(b.spec.ref, b.spec.cur, b.spec.feature_type, b.spec.dtype, {
        method: b.spec.method,
      }),
    );
    const s = score(base);
    const check =
      DRIFT_METHOD_INFO[b.spec.method].kind === 'p-value'
        ? expectPValue
        : expectStatistic;
    check(s, b.score);
    // the verdict with the threshold set to our own score, exactly
    const atScore = computeColumnDrift(
      task(b.spec.ref, b.spec.cur, b.spec.feature_type, b.spec.dtype, {
        method: b.spec.method,
        threshold: s,
      }),
    );
    expect(score(atScore)).toBe(s);
    expect(atScore.drifted).toBe(b.drifted_at_score);
  });
});
