import { DriftMethod } from '../engine/types';
import { JsonValue, materialize, SampleSpec } from './samples';

/** Column dtype as pandas would hold it. */
export type Dtype = 'float' | 'int' | 'str' | 'bool';

/** A case for the oracle, with samples given as specs. */
export type CaseSpec =
  | {
      id: string;
      op: 'ks_2samp';
      a: SampleSpec;
      b: SampleSpec;
      branch?: string;
    }
  | { id: string; op: 'kstwo_sf'; d: number; n: number }
  | { id: string; op: 'smirnov'; n: number; x: number }
  | { id: string; op: 'chisquare'; f_obs: number[]; f_exp?: number[] }
  | { id: string; op: 'chi2_sf'; x: number; df: number }
  | { id: string; op: 'ndtr'; x: number }
  | {
      id: string;
      op: 'wasserstein';
      u: SampleSpec;
      v: SampleSpec;
    }
  | { id: string; op: 'jensenshannon'; p: number[]; q: number[]; base?: number }
  | {
      id: string;
      op: 'evidently_stattest';
      method: DriftMethod;
      ref: SampleSpec;
      cur: SampleSpec;
      feature_type: 'num' | 'cat';
      dtype: Dtype;
      threshold?: number;
    }
  | {
      id: string;
      op: 'evidently_default';
      ref: SampleSpec;
      cur: SampleSpec;
      feature_type: 'num' | 'cat';
      dtype: Dtype;
    };

const SAMPLE_KEYS = ['a', 'b', 'u', 'v', 'ref', 'cur'] as const;

/** Replaces the sample specs of a case by their values, for the oracle. */
export function materializeCase(spec: CaseSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { ...spec };
  for (const key of SAMPLE_KEYS) {
    if (key in spec) {
      out[key] = materialize(
        (spec as Record<string, unknown>)[key] as SampleSpec,
      );
    }
  }
  delete out.branch;
  return out;
}

const values = (v: JsonValue[]): SampleSpec => ({ kind: 'values', values: v });

function ksCases(): CaseSpec[] {
  const n = (
    count: number,
    seed: number,
    mean = 0,
    decimals?: number,
  ): SampleSpec => ({
    kind: 'normal',
    n: count,
    seed,
    mean,
    decimals,
  });
  return [
    // exact, unequal sizes
    { id: 'ks-exact-50v73', op: 'ks_2samp', a: n(50, 1), b: n(73, 2, 0.4) },
    { id: 'ks-exact-300v400', op: 'ks_2samp', a: n(300, 3), b: n(400, 4, 0.1) },
    {
      id: 'ks-exact-1000v2500',
      op: 'ks_2samp',
      a: n(1000, 5),
      b: n(2500, 6, 0.05),
    },
    {
      id: 'ks-exact-3000v7001',
      op: 'ks_2samp',
      a: n(3000, 7),
      b: n(7001, 8, 0.02),
    },
    {
      id: 'ks-exact-9999v10000',
      op: 'ks_2samp',
      a: n(9999, 9),
      b: n(10000, 10, 0.03),
    },
    {
      id: 'ks-exact-ties-400v600',
      op: 'ks_2samp',
      a: n(400, 11, 0, 1),
      b: n(600, 12, 0.1, 1),
    },
    {
      id: 'ks-exact-tiny-p-200v300',
      op: 'ks_2samp',
      a: n(200, 13),
      b: n(300, 14, 1.5),
    },
    // exact, equal sizes (closed form)
    {
      id: 'ks-exact-500v500',
      op: 'ks_2samp',
      a: n(500, 15),
      b: n(500, 16, 0.15),
    },
    {
      id: 'ks-exact-10000v10000',
      op: 'ks_2samp',
      a: n(10000, 17),
      b: n(10000, 18, 0.02),
    },
    // asymptotic: kstwo.sf(D, round(mn/(m+n))) in each branch
    {
      id: 'ks-asymp-durbin-12000v12000',
      op: 'ks_2samp',
      a: n(12000, 19),
      b: { kind: 'replaceTail', base: n(12000, 19), count: 20, value: 1e6 },
      branch: 'durbin-matrix',
    },
    {
      id: 'ks-asymp-pelzgood-12000v15000',
      op: 'ks_2samp',
      a: n(12000, 21),
      b: n(15000, 22),
      branch: 'pelz-good',
    },
    {
      id: 'ks-asymp-smirnov-20000v20000',
      op: 'ks_2samp',
      a: n(20000, 23),
      b: n(20000, 24, 0.08),
      branch: 'smirnov',
    },
    {
      id: 'ks-asymp-halfeven-10001v10001',
      op: 'ks_2samp',
      a: n(10001, 25),
      b: n(10001, 26, 0.02),
    },
    {
      id: 'ks-asymp-pelzgood-600000v500000',
      op: 'ks_2samp',
      a: n(600000, 27),
      b: n(500000, 28),
      branch: 'pelz-good',
    },
    {
      id: 'ks-asymp-smirnov-600000v500000',
      op: 'ks_2samp',
      a: n(600000, 29),
      b: n(500000, 30, 0.012),
      branch: 'smirnov',
    },
    {
      id: 'ks-asymp-small-n-durbin-100v20000',
      op: 'ks_2samp',
      a: n(100, 31),
      b: n(20000, 32),
      branch: 'durbin-matrix',
    },
    {
      id: 'ks-asymp-small-n-pomeranz-100v20000',
      op: 'ks_2samp',
      a: n(100, 33),
      b: n(20000, 34, 0.15),
      branch: 'pomeranz',
    },
    {
      id: 'ks-asymp-small-n-smirnov-100v20000',
      op: 'ks_2samp',
      a: n(100, 35),
      b: n(20000, 36, 0.8),
      branch: 'smirnov',
    },
  ];
}

function kstwoGrid(): CaseSpec[] {
  const ns = [
    1, 2, 3, 5, 10, 20, 50, 100, 140, 141, 150, 200, 500, 1000, 5000, 10000,
    50000, 99999, 100000, 100001, 250000, 1000000, 1000001, 3000000,
  ];
  const cs = [0.3, 0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 1.8, 2.2, 2.6, 3.2, 4.5, 7];
  const cases: CaseSpec[] = [];
  for (const n of ns) {
    const ds = new Set<number>();
    for (const c of cs) {
      ds.add(c / Math.sqrt(n));
    }
    for (const d of [
      0.75 / n,
      1 / n,
      1.5 / n,
      0.3,
      0.5,
      0.6,
      0.95,
      1 - 1 / n,
    ]) {
      ds.add(d);
    }
    for (const d of ds) {
      if (d > 0 && d < 1) {
        cases.push({
          id: `kstwo-n${n}-d${d.toPrecision(6)}`,
          op: 'kstwo_sf',
          d,
          n,
        });
      }
    }
  }
  return cases;
}

function smirnovGrid(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const n of [2, 5, 10, 50, 100, 1000, 100000, 999999]) {
    for (const x of [
      0.001,
      0.01,
      0.05,
      0.1,
      0.25,
      0.5,
      0.75,
      0.9,
      0.99,
      1 / n,
      2 / n,
      1 - 1 / n,
    ]) {
      if (x > 0 && x < 1) {
        cases.push({
          id: `smirnov-n${n}-x${x.toPrecision(6)}`,
          op: 'smirnov',
          n,
          x,
        });
      }
    }
  }
  return cases;
}

function specialGrid(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const df of [1, 2, 3, 5, 10, 30, 100, 1000]) {
    for (const x of [0.001, 0.5, 1, 3, 10, 50, 200, 1500]) {
      cases.push({ id: `chi2sf-df${df}-x${x}`, op: 'chi2_sf', x, df });
    }
  }
  for (const x of [-8, -5, -3, -1.5, -0.7, -0.1, 0, 0.1, 0.7, 1.5, 3, 5]) {
    cases.push({ id: `ndtr-${x}`, op: 'ndtr', x });
  }
  return cases;
}

function distanceCases(): CaseSpec[] {
  return [
    {
      id: 'chisquare-new-categories',
      op: 'chisquare',
      f_obs: [30, 25, 10, 5],
      f_exp: [40, 30, 0, 0],
    },
    {
      id: 'chisquare-uniform-12',
      op: 'chisquare',
      f_obs: [3, 9, 4, 8, 6, 5, 7, 2, 10, 6, 5, 7],
    },
    {
      id: 'wasserstein-normal-5000v4000',
      op: 'wasserstein',
      u: { kind: 'normal', n: 5000, seed: 41 },
      v: { kind: 'normal', n: 4000, seed: 42, mean: 0.3, sd: 1.4 },
    },
    {
      id: 'wasserstein-ties',
      op: 'wasserstein',
      u: { kind: 'integers', n: 3000, seed: 43, lo: 0, hi: 9 },
      v: { kind: 'integers', n: 2000, seed: 44, lo: 2, hi: 12 },
    },
    {
      id: 'jensenshannon-8',
      op: 'jensenshannon',
      p: [0.1, 0.2, 0.05, 0.15, 0.2, 0.1, 0.1, 0.1],
      q: [0.12, 0.18, 0.0, 0.2, 0.2, 0.05, 0.15, 0.1],
    },
  ];
}

function stattestCases(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const numericData: Array<{
    name: string;
    ref: SampleSpec;
    cur: SampleSpec;
    dtype: Dtype;
  }> = [
    {
      name: 'float-shift',
      ref: { kind: 'normal', n: 800, seed: 51 },
      cur: { kind: 'normal', n: 700, seed: 52, mean: 0.2 },
      dtype: 'float',
    },
    {
      name: 'float-large',
      ref: { kind: 'normal', n: 20000, seed: 53, sd: 2 },
      cur: { kind: 'normal', n: 15000, seed: 54, mean: 0.1, sd: 2.2 },
      dtype: 'float',
    },
    {
      name: 'int-lowcard',
      ref: { kind: 'integers', n: 1500, seed: 55, lo: 0, hi: 9 },
      cur: { kind: 'integers', n: 1200, seed: 56, lo: 1, hi: 11 },
      dtype: 'int',
    },
    {
      // 21 distinct integers on 1.2M rows: numpy's Sturges width (20/21.2) is
      // raised to 1 for an int dtype
      name: 'int-sturges-width-rule',
      ref: { kind: 'integers', n: 600000, seed: 57, lo: 0, hi: 20 },
      cur: { kind: 'integers', n: 600000, seed: 58, lo: 0, hi: 20 },
      dtype: 'int',
    },
    {
      name: 'float-nan-inf',
      ref: {
        kind: 'concat',
        parts: [
          { kind: 'normal', n: 300, seed: 59 },
          values([null, 'Infinity', '-Infinity', 'NaN', null]),
        ],
      },
      cur: {
        kind: 'concat',
        parts: [
          values(['Infinity', null]),
          { kind: 'normal', n: 250, seed: 60, mean: 0.3 },
          values(['-Infinity']),
        ],
      },
      dtype: 'float',
    },
  ];
  const numMethods: DriftMethod[] = [
    'ks',
    'wasserstein',
    'jensenshannon',
    'psi',
    'kl_div',
    'hellinger',
  ];
  for (const data of numericData) {
    for (const method of numMethods) {
      cases.push({
        id: `stattest-num-${data.name}-${method}`,
        op: 'evidently_stattest',
        method,
        ref: data.ref,
        cur: data.cur,
        feature_type: 'num',
        dtype: data.dtype,
      });
    }
  }
  // chisquare and z on low-cardinality numerical columns (default selection)
  cases.push(
    {
      id: 'stattest-num-int-3values-chisquare',
      op: 'evidently_stattest',
      method: 'chisquare',
      ref: { kind: 'integers', n: 400, seed: 61, lo: 1, hi: 3 },
      cur: { kind: 'integers', n: 350, seed: 62, lo: 1, hi: 3 },
      feature_type: 'num',
      dtype: 'int',
    },
    {
      id: 'stattest-num-int-2values-z',
      op: 'evidently_stattest',
      method: 'z',
      ref: { kind: 'integers', n: 400, seed: 63, lo: 0, hi: 1 },
      cur: {
        kind: 'categories',
        n: 300,
        seed: 64,
        categories: [0, 1],
        weights: [1, 2],
      },
      feature_type: 'num',
      dtype: 'int',
    },
  );
  const catData: Array<{
    name: string;
    ref: SampleSpec;
    cur: SampleSpec;
    dtype: Dtype;
  }> = [
    {
      name: 'str-weights',
      ref: {
        kind: 'categories',
        n: 900,
        seed: 65,
        categories: ['a', 'b', 'c', 'd', 'e'],
        weights: [5, 4, 3, 2, 1],
      },
      cur: {
        kind: 'categories',
        n: 800,
        seed: 66,
        categories: ['a', 'b', 'c', 'd', 'e'],
        weights: [4, 4, 3, 3, 2],
      },
      dtype: 'str',
    },
    {
      name: 'str-new-category',
      ref: {
        kind: 'categories',
        n: 600,
        seed: 67,
        categories: ['x', 'y', 'z'],
      },
      cur: {
        kind: 'categories',
        n: 500,
        seed: 68,
        categories: ['x', 'y', 'z', 'w'],
        weights: [3, 3, 3, 1],
      },
      dtype: 'str',
    },
    {
      name: 'str-large',
      ref: {
        kind: 'categories',
        n: 30000,
        seed: 69,
        categories: ['p', 'q', 'r', 's', 't', 'u'],
        weights: [1, 2, 3, 4, 5, 6],
      },
      cur: {
        kind: 'categories',
        n: 25000,
        seed: 70,
        categories: ['p', 'q', 'r', 's', 't', 'u'],
        weights: [1, 2, 3, 4, 6, 5],
      },
      dtype: 'str',
    },
    {
      name: 'bool',
      ref: {
        kind: 'categories',
        n: 700,
        seed: 71,
        categories: [true, false],
        weights: [7, 3],
      },
      cur: {
        kind: 'categories',
        n: 650,
        seed: 72,
        categories: [true, false],
        weights: [6, 4],
      },
      dtype: 'bool',
    },
    {
      name: 'str-missing',
      ref: {
        kind: 'concat',
        parts: [
          { kind: 'categories', n: 200, seed: 73, categories: ['m', 'n', 'o'] },
          values([null, null]),
        ],
      },
      cur: {
        kind: 'concat',
        parts: [
          values([null]),
          {
            kind: 'categories',
            n: 180,
            seed: 74,
            categories: ['m', 'n', 'o'],
            weights: [1, 1, 2],
          },
        ],
      },
      dtype: 'str',
    },
  ];
  const catMethods: DriftMethod[] = [
    'chisquare',
    'z',
    'jensenshannon',
    'psi',
    'kl_div',
    'hellinger',
  ];
  for (const data of catData) {
    for (const method of catMethods) {
      cases.push({
        id: `stattest-cat-${data.name}-${method}`,
        op: 'evidently_stattest',
        method,
        ref: data.ref,
        cur: data.cur,
        feature_type: 'cat',
        dtype: data.dtype,
      });
    }
  }
  // z-test edge cases
  const z = (id: string, ref: SampleSpec, cur: SampleSpec): CaseSpec => ({
    id: `z-edge-${id}`,
    op: 'evidently_stattest',
    method: 'z',
    ref,
    cur,
    feature_type: 'cat',
    dtype: 'str',
  });
  const repeat = (value: string, count: number) =>
    values(Array(count).fill(value));
  cases.push(
    z('same-single-value', repeat('a', 50), repeat('a', 40)),
    z('different-single-values', repeat('a', 50), repeat('b', 40)),
    z(
      'ref-single-cur-two',
      repeat('a', 50),
      values([...Array(30).fill('a'), ...Array(10).fill('b')]),
    ),
    z('one-row-each', values(['a']), values(['b'])),
    z(
      'near-equal',
      values([...Array(500).fill('a'), ...Array(500).fill('b')]),
      values([...Array(499).fill('a'), ...Array(501).fill('b')]),
    ),
    z(
      'extreme',
      values([...Array(990).fill('a'), ...Array(10).fill('b')]),
      values([...Array(10).fill('a'), ...Array(990).fill('b')]),
    ),
  );
  return cases;
}

function selectionCases(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const sel = (
    id: string,
    ref: SampleSpec,
    cur: SampleSpec,
    featureType: 'num' | 'cat',
    dtype: Dtype,
  ): CaseSpec => ({
    id: `select-${id}`,
    op: 'evidently_default',
    ref,
    cur,
    feature_type: featureType,
    dtype,
  });
  for (const rows of [999, 1000, 1001]) {
    for (const unique of [2, 3, 5, 6]) {
      cases.push(
        sel(
          `num-${rows}rows-${unique}unique`,
          {
            kind: 'integers',
            n: rows,
            seed: rows + unique,
            lo: 0,
            hi: unique - 1,
          },
          {
            kind: 'integers',
            n: 300,
            seed: rows * unique,
            lo: 0,
            hi: unique - 1,
          },
          'num',
          'int',
        ),
      );
    }
    cases.push(
      sel(
        `num-${rows}rows-float`,
        { kind: 'normal', n: rows, seed: rows },
        { kind: 'normal', n: 300, seed: rows + 1 },
        'num',
        'float',
      ),
    );
    for (const unique of [2, 3]) {
      const categories = ['u', 'v', 'w'].slice(0, unique);
      cases.push(
        sel(
          `cat-${rows}rows-${unique}unique`,
          { kind: 'categories', n: rows, seed: rows + 7, categories },
          { kind: 'categories', n: 200, seed: rows + 8, categories },
          'cat',
          'str',
        ),
      );
    }
  }
  // 1001 rows of which one is NaN: 1000 rows after cleaning → tests, not distances
  cases.push(
    sel(
      'num-1001rows-one-nan',
      {
        kind: 'concat',
        parts: [{ kind: 'normal', n: 1000, seed: 81 }, values([null])],
      },
      { kind: 'normal', n: 400, seed: 82 },
      'num',
      'float',
    ),
  );
  // distinct values counted over reference ∪ current: 3 + 3 new = 6 → ks
  cases.push(
    sel(
      'num-unique-from-union',
      { kind: 'integers', n: 500, seed: 83, lo: 0, hi: 2 },
      { kind: 'integers', n: 500, seed: 84, lo: 3, hi: 5 },
      'num',
      'int',
    ),
  );
  return cases;
}

/** Every scipy/Evidently case of the committed fixture. */
export function scipyCaseSpecs(): CaseSpec[] {
  return [
    ...ksCases(),
    ...kstwoGrid(),
    ...smirnovGrid(),
    ...specialGrid(),
    ...distanceCases(),
    ...stattestCases(),
    ...selectionCases(),
  ];
}

/** Methods whose verdict at p (or d) exactly equal to the threshold is checked. */
export const BOUNDARY_CASES: Array<{
  id: string;
  method: DriftMethod;
  ref: SampleSpec;
  cur: SampleSpec;
  feature_type: 'num' | 'cat';
  dtype: Dtype;
}> = [
  {
    id: 'boundary-ks',
    method: 'ks',
    ref: { kind: 'normal', n: 60, seed: 91 },
    cur: { kind: 'normal', n: 80, seed: 92, mean: 0.4 },
    feature_type: 'num',
    dtype: 'float',
  },
  {
    id: 'boundary-chisquare',
    method: 'chisquare',
    ref: { kind: 'categories', n: 300, seed: 93, categories: ['a', 'b', 'c'] },
    cur: {
      kind: 'categories',
      n: 300,
      seed: 94,
      categories: ['a', 'b', 'c'],
      weights: [1, 1, 1.5],
    },
    feature_type: 'cat',
    dtype: 'str',
  },
  {
    id: 'boundary-z',
    method: 'z',
    ref: { kind: 'categories', n: 300, seed: 95, categories: ['a', 'b'] },
    cur: {
      kind: 'categories',
      n: 300,
      seed: 96,
      categories: ['a', 'b'],
      weights: [1, 1.4],
    },
    feature_type: 'cat',
    dtype: 'str',
  },
  {
    id: 'boundary-wasserstein',
    method: 'wasserstein',
    ref: { kind: 'normal', n: 2000, seed: 97 },
    cur: { kind: 'normal', n: 2000, seed: 98, mean: 0.1 },
    feature_type: 'num',
    dtype: 'float',
  },
  {
    id: 'boundary-jensenshannon',
    method: 'jensenshannon',
    ref: {
      kind: 'categories',
      n: 3000,
      seed: 99,
      categories: ['a', 'b', 'c', 'd'],
    },
    cur: {
      kind: 'categories',
      n: 3000,
      seed: 100,
      categories: ['a', 'b', 'c', 'd'],
      weights: [1, 1, 1, 2],
    },
    feature_type: 'cat',
    dtype: 'str',
  },
];
