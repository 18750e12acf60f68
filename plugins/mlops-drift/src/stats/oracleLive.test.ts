import { computeColumnDrift } from '../engine/columnDrift';
import { DRIFT_METHOD_INFO } from '../engine/methods';
import { DriftMethod } from '../engine/types';
import { CaseSpec, materializeCase } from '../__testUtils__/cases';
import { expectPValue, expectStatistic } from '../__testUtils__/expect';
import {
  oracleAvailable,
  ORACLE_PYTHON,
  runOracle,
} from '../__testUtils__/oracle';
import { toColumnData } from '../__testUtils__/presetCases';
import {
  fromJsonNumber,
  JsonValue,
  materialize,
  mulberry32,
  SampleSpec,
  toFloat64,
} from '../__testUtils__/samples';
import { kstwoSf } from './kolmogorov';
import { ks2SampSorted } from './ks';

jest.setTimeout(300_000);

/**
 * Re-runs scipy/Evidently live on freshly drawn samples. The seed is random
 * per run unless DRIFT_ORACLE_SEED is set; it appears in every failure
 * message, so a failing draw can be replayed.
 */
const SEED = Number(
  process.env.DRIFT_ORACLE_SEED ?? Math.floor(Math.random() * 2 ** 31),
);

function randomCases(seed: number): CaseSpec[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) =>
    lo + Math.floor(rnd() * (hi - lo + 1));
  const cases: CaseSpec[] = [];
  const normal = (n: number, mean: number, decimals?: number): SampleSpec => ({
    kind: 'normal',
    n,
    seed: int(1, 2 ** 30),
    mean,
    sd: 0.5 + rnd() * 2,
    decimals,
  });
  // exact and asymptotic KS, with and without ties
  for (let i = 0; i < 12; i++) {
    const exact = i < 8;
    const m = exact ? int(5, 3000) : int(10001, 60000);
    const n = exact ? int(5, 3000) : int(200, 60000);
    const ties = rnd() < 0.3 ? 1 : undefined;
    cases.push({
      id: `live-ks-${i}-${m}v${n}`,
      op: 'ks_2samp',
      a: normal(m, 0, ties),
      b: normal(n, rnd() * 0.2, ties),
    });
  }
  // kstwo.sf anywhere in (0, 1)
  for (let i = 0; i < 40; i++) {
    const n = Math.round(Math.exp(rnd() * Math.log(2e6))) + 1;
    const d = Math.min(0.999, Math.max(1e-6, (rnd() * 4) / Math.sqrt(n)));
    cases.push({ id: `live-kstwo-${i}-n${n}`, op: 'kstwo_sf', d, n });
  }
  // Evidently's stattests for every method on random data
  const numMethods: DriftMethod[] = [
    'ks',
    'wasserstein',
    'jensenshannon',
    'psi',
    'kl_div',
    'hellinger',
  ];
  const catMethods: DriftMethod[] = [
    'chisquare',
    'z',
    'jensenshannon',
    'psi',
    'kl_div',
    'hellinger',
  ];
  for (const method of numMethods) {
    const lowCardinality = rnd() < 0.3;
    cases.push({
      id: `live-num-${method}`,
      op: 'evidently_stattest',
      method,
      ref: lowCardinality
        ? {
            kind: 'integers',
            n: int(50, 5000),
            seed: int(1, 2 ** 30),
            lo: 0,
            hi: int(2, 15),
          }
        : normal(int(50, 5000), 0),
      cur: lowCardinality
        ? {
            kind: 'integers',
            n: int(50, 5000),
            seed: int(1, 2 ** 30),
            lo: 0,
            hi: int(2, 15),
          }
        : normal(int(50, 5000), rnd() * 0.3),
      feature_type: 'num',
      dtype: lowCardinality ? 'int' : 'float',
    });
  }
  const categories = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (const method of catMethods) {
    const k = method === 'z' ? 2 : int(2, 6);
    cases.push({
      id: `live-cat-${method}`,
      op: 'evidently_stattest',
      method,
      ref: {
        kind: 'categories',
        n: int(20, 3000),
        seed: int(1, 2 ** 30),
        categories: categories.slice(0, k),
        weights: categories.slice(0, k).map(() => 0.5 + rnd()),
      },
      cur: {
        kind: 'categories',
        n: int(20, 3000),
        seed: int(1, 2 ** 30),
        categories: categories.slice(0, k),
        weights: categories.slice(0, k).map(() => 0.5 + rnd()),
      },
      feature_type: 'cat',
      dtype: 'str',
    });
  }
  return cases;
}

const live = oracleAvailable() ? describe : describe.skip;

live(`live oracle (${ORACLE_PYTHON}), seed ${SEED}`, () => {
  const cases = randomCases(SEED);
  let results: Map<string, Record<string, unknown>>;

  beforeAll(() => {
    const output = runOracle(cases.map(materializeCase));
    results = new Map(output.results.map(r => [r.id, r]));
  });

  /** Our number, scipy's, whether it is a p-value, and the verdicts if any. */
  function compare(spec: CaseSpec, expected: Record<string, unknown>) {
    const n = (key: string) => fromJsonNumber(expected[key] as JsonValue);
    switch (spec.op) {
      case 'ks_2samp': {
        const result = ks2SampSorted(
          toFloat64(materialize(spec.a)).sort(),
          toFloat64(materialize(spec.b)).sort(),
        );
        return [
          { actual: result.statistic, expected: n('statistic'), pValue: false },
          { actual: result.pValue, expected: n('pvalue'), pValue: true },
        ];
      }
      case 'kstwo_sf':
        return [
          { actual: kstwoSf(spec.d, spec.n), expected: n('p'), pValue: true },
        ];
      case 'evidently_stattest': {
        const result = computeColumnDrift({
          column: 'x',
          type: spec.feature_type === 'num' ? 'numerical' : 'categorical',
          reference: toColumnData(materialize(spec.ref), spec.dtype),
          current: toColumnData(materialize(spec.cur), spec.dtype),
          referenceName: 'ref',
          currentName: 'cur',
          method: spec.method,
          maxHistogramCategories: 10,
        });
        const pValue = DRIFT_METHOD_INFO[spec.method].kind === 'p-value';
        return [
          {
            actual: pValue ? result.pValue! : result.statistic,
            expected: n('score'),
            pValue,
          },
          {
            actual: Number(result.drifted),
            expected: Number(expected.drifted),
            pValue: false,
          },
        ];
      }
      default:
        throw new Error(`unexpected op ${spec.op}`);
    }
  }

  it.each(cases.map(c => [c.id, c] as const))('%s', (id, spec) => {
    const label = `${id} (DRIFT_ORACLE_SEED=${SEED})`;
    const comparisons = compare(spec, results.get(id)!);
    expect(comparisons.length).toBeGreaterThan(0);
    for (const c of comparisons) {
      const check = c.pValue ? expectPValue : expectStatistic;
      check(c.actual, c.expected, label);
    }
  });
});
