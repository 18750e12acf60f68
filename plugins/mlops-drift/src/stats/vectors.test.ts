import vectors from '../__fixtures__/drift_vectors.json';
import { computeColumnDrift } from '../engine/columnDrift';
import { isDrifted } from '../engine/methods';
import { expectPValue, expectStatistic } from '../__testUtils__/expect';
import { toColumnData } from '../__testUtils__/presetCases';
import { binNumerical, sturgesBinEdges } from './binning';
import { chiSquare, chiSquareEvidently } from './categorical';
import { decilePsi } from './decilePsi';
import { jensenShannonDistance, populationStabilityIndex } from './divergence';
import { kstwoSf } from './kolmogorov';
import { ks2Samp } from './ks';
import { normedWassersteinSorted, wasserstein1 } from './wasserstein';

type Vector = {
  name: string;
  kind: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
};
const all = vectors as Vector[];
const byName = new Map(all.map(v => [v.name, v]));

/**
 * Expands the generator strings of drift_vectors.json:
 *   "1..1000"                 integers 1 to 1000
 *   "(501,503,...,999)"       arithmetic progression
 *   "60x'a'" / "10x0.01"      repetition of a string or number
 *   parts joined by "++" or ","
 */
function expandGenerator(text: string): Array<number | string> {
  const parts = text.includes('++')
    ? text.split('++')
    : text.split(/,(?![^()]*\))/);
  return parts.flatMap((raw): Array<number | string> => {
    const part = raw.trim();
    let m = /^(-?\d+)\.\.(-?\d+)$/.exec(part);
    if (m) {
      const [lo, hi] = [Number(m[1]), Number(m[2])];
      return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
    }
    m = /^\((-?[\d.]+),(-?[\d.]+),\.\.\.,(-?[\d.]+)\)$/.exec(part);
    if (m) {
      const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const step = b - a;
      return Array.from(
        { length: Math.round((c - a) / step) + 1 },
        (_, i) => a + i * step,
      );
    }
    m = /^(\d+)x'(.*)'$/.exec(part);
    if (m) {
      return Array<string>(Number(m[1])).fill(m[2]);
    }
    m = /^(\d+)x(-?[\d.]+)$/.exec(part);
    if (m) {
      return Array<number>(Number(m[1])).fill(Number(m[2]));
    }
    throw new Error(`cannot expand generator part '${part}'`);
  });
}

const numbers = (value: unknown): number[] =>
  typeof value === 'string'
    ? (expandGenerator(value) as number[])
    : (value as number[]);

describe('expandGenerator', () => {
  it('expands ranges, progressions and repetitions', () => {
    expect(expandGenerator('1..3 ++ (5,7,...,11) ++ 2x1200')).toEqual([
      1, 2, 3, 5, 7, 9, 11, 1200, 1200,
    ]);
    expect(expandGenerator("2x'a',1x'b'")).toEqual(['a', 'a', 'b']);
    expect(expandGenerator('3x0.01')).toEqual([0.01, 0.01, 0.01]);
    expect(() => expandGenerator('1...3')).toThrow('cannot expand');
  });
});

describe('drift_vectors.json (scipy 1.10.1 reference values)', () => {
  const tested = new Set<string>();
  const vector = (name: string) => {
    tested.add(name);
    const v = byName.get(name);
    if (!v) {
      throw new Error(`vector ${name} is missing`);
    }
    return v;
  };

  it.each([
    'ks_disjoint_5v5',
    'ks_evidently_ttest_data',
    'ks_unequal_10v12',
    'ks_unequal_7v9',
    'ks_ties',
  ])('%s: exact two-sample KS', name => {
    const v = vector(name);
    const result = ks2Samp(numbers(v.inputs.ref), numbers(v.inputs.cur));
    expect(result.method).toBe('exact');
    expectStatistic(result.statistic, v.expected.D as number);
    expectPValue(result.pValue, v.expected.p as number);
  });

  it.each([
    'kstwo_sf_n6000_d0.015',
    'kstwo_sf_n6000_d0.02',
    'kstwo_sf_n200_d0.1',
    'kstwo_sf_n1000_d0.05',
  ])('%s: kstwo.sf', name => {
    const v = vector(name);
    expectPValue(
      kstwoSf(v.inputs.d as number, v.inputs.n as number),
      v.expected.p as number,
    );
  });

  it('chisq_evidently_freq: Evidently chi-square, no drift at 0.05', () => {
    const v = vector('chisq_evidently_freq');
    const result = chiSquareEvidently(
      v.inputs.ref_counts as number[],
      v.inputs.cur_counts as number[],
    );
    expectStatistic(result.statistic, v.expected.stat as number);
    expectPValue(result.pValue, v.expected.p as number);
    expect(isDrifted('chisquare', result.pValue, 0.05)).toBe(
      v.expected['drift_at_0.05'],
    );
    // doubling the reference counts changes nothing
    const doubled = chiSquareEvidently(
      (v.inputs.ref_counts as number[]).map(c => 2 * c),
      v.inputs.cur_counts as number[],
    );
    expectPValue(doubled.pValue, v.expected.p as number);
  });

  it.each([
    'scipy_doc_chisquare_uniform',
    'scipy_doc_chisquare_fexp',
    'chisq_new_category',
  ])('%s: scipy chisquare', name => {
    const v = vector(name);
    const result = chiSquare(
      v.inputs.f_obs as number[],
      v.inputs.f_exp as number[] | undefined,
    );
    const stat =
      v.expected.stat === 'Infinity' ? Infinity : (v.expected.stat as number);
    expectStatistic(result.statistic, stat);
    expectPValue(result.pValue, v.expected.p as number);
  });

  it('ztest_binary: Evidently z-test through the column engine', () => {
    const v = vector('ztest_binary');
    const result = computeColumnDrift({
      column: 'label',
      type: 'categorical',
      reference: toColumnData(expandGenerator(v.inputs.ref as string), 'str'),
      current: toColumnData(expandGenerator(v.inputs.cur as string), 'str'),
      referenceName: 'ref',
      currentName: 'cur',
      maxHistogramCategories: 10,
    });
    expect(result.method).toBe('z');
    expectStatistic(result.statistic, v.expected.z as number);
    expectPValue(result.pValue!, v.expected.p as number);
    expect(result.drifted).toBe(v.expected['drift_at_0.05']);
  });

  it('js_cat_3: natural log and base 2', () => {
    const v = vector('js_cat_3');
    const p = v.inputs.p as number[];
    const q = v.inputs.q as number[];
    expectStatistic(jensenShannonDistance(p, q), v.expected.dist_ln as number);
    expectStatistic(
      jensenShannonDistance(p, q, 2),
      v.expected.dist_base2 as number,
    );
  });

  it.each(['scipy_doc_js_1', 'scipy_doc_js_2'])(
    '%s: scipy jensenshannon',
    name => {
      const v = vector(name);
      expectStatistic(
        jensenShannonDistance(
          v.inputs.p as number[],
          v.inputs.q as number[],
          v.inputs.base as number | undefined,
        ),
        v.expected.dist as number,
      );
    },
  );

  it.each(['scipy_doc_w1_a', 'scipy_doc_w1_b', 'scipy_doc_w1_c'])(
    '%s: scipy wasserstein_distance',
    name => {
      const v = vector(name);
      expectStatistic(
        wasserstein1(
          v.inputs.u as number[],
          v.inputs.v as number[],
          v.inputs.u_w as number[] | undefined,
          v.inputs.v_w as number[] | undefined,
        ),
        v.expected.w as number,
      );
    },
  );

  it('w1_normed_shift1: normed by the population std, drift at 0.1', () => {
    const v = vector('w1_normed_shift1');
    const result = normedWassersteinSorted(
      Float64Array.from(numbers(v.inputs.ref)),
      Float64Array.from(numbers(v.inputs.cur)),
    );
    expectStatistic(result.distance, v.expected.w as number);
    expectStatistic(result.referenceStd, v.expected.std_ref as number);
    expectStatistic(result.statistic, v.expected.normed as number);
    expect(isDrifted('wasserstein', result.statistic, 0.1)).toBe(
      v.expected['drift_at_0.1'],
    );
  });

  it('w1_normed_const_ref: std floor 0.001', () => {
    const v = vector('w1_normed_const_ref');
    const result = normedWassersteinSorted(
      Float64Array.from(numbers(v.inputs.ref)),
      Float64Array.from(numbers(v.inputs.cur)),
    );
    expectStatistic(result.statistic, v.expected.normed as number);
  });

  it('psi_hand_10bins: PSI = Σ (c − r)·ln(c/r)', () => {
    const v = vector('psi_hand_10bins');
    expectStatistic(
      populationStabilityIndex(
        v.inputs.ref_pct as number[],
        v.inputs.cur_pct as number[],
      ),
      v.expected.psi as number,
    );
  });

  it('psi_deciles_ref_quantiles: classic decile PSI', () => {
    const v = vector('psi_deciles_ref_quantiles');
    const result = decilePsi(numbers(v.inputs.ref), numbers(v.inputs.cur));
    (v.expected.inner_edges as number[]).forEach((edge, i) =>
      expectStatistic(result.innerEdges[i], edge),
    );
    (v.expected.cur_pct as number[]).forEach((p, i) =>
      expectStatistic(result.currentProportions[i], p),
    );
    // the vector gives the PSI to 10 significant digits
    expect(Math.abs(result.psi - (v.expected.psi as number))).toBeLessThan(
      1e-9,
    );
  });

  it('psi_evidently_sturges: Sturges bins on the combined data', () => {
    const v = vector('psi_evidently_sturges');
    const ref = Float64Array.from(numbers(v.inputs.ref));
    const cur = Float64Array.from(numbers(v.inputs.cur));
    expect(sturgesBinEdges([ref, cur], true)).toHaveLength(
      (v.expected.n_bins as number) + 1,
    );
    const filled = binNumerical(ref, cur, { fill: true, integerDtype: true });
    expect(filled.binning).toBe('sturges');
    expect(
      Math.abs(
        populationStabilityIndex(filled.reference, filled.current) -
          (v.expected.psi as number),
      ),
    ).toBeLessThan(1e-9);
    const plain = binNumerical(ref, cur, { fill: false, integerDtype: true });
    expect(
      Math.abs(
        jensenShannonDistance(plain.reference, plain.current) -
          (v.expected.js_ln_no_fill as number),
      ),
    ).toBeLessThan(1e-9);
  });

  it('evidently_small_dataset (E1): default selection, verdicts and dataset drift', () => {
    const v = vector('evidently_small_dataset');
    const i200 = Array.from({ length: 200 }, (_, i) => i);
    expect(v.inputs.num_a).toBe('ref i/200, cur i/200+0.3 (i=0..199)');
    const columns = {
      num_a: [i200.map(i => i / 200), i200.map(i => i / 200 + 0.3), 'float'],
      num_b: [i200.map(i => i % 50), i200.map(i => i % 50), 'int'],
      cat_c: [
        i200.map(i => ['x', 'y', 'z'][i % 3]),
        i200.map(i => ['x', 'y', 'z'][i % 3]),
        'str',
      ],
      bin_d: [
        i200.map(i => (i < 120 ? '0' : '1')),
        i200.map(i => (i < 80 ? '0' : '1')),
        'str',
      ],
    } as const;
    const expected = v.expected as Record<
      string,
      { test: string; p: number; drift: boolean }
    > & {
      share: number;
      dataset_drift: boolean;
    };
    let drifted = 0;
    for (const [name, [ref, cur, dtype]] of Object.entries(columns)) {
      const result = computeColumnDrift({
        column: name,
        type: dtype === 'str' ? 'categorical' : 'numerical',
        reference: toColumnData([...ref], dtype),
        current: toColumnData([...cur], dtype),
        referenceName: 'ref',
        currentName: 'cur',
        maxHistogramCategories: 10,
      });
      expect(result.method).toBe(expected[name].test);
      expectPValue(result.pValue!, expected[name].p);
      expect(result.drifted).toBe(expected[name].drift);
      drifted += result.drifted ? 1 : 0;
    }
    expect(drifted / 4).toBe(expected.share);
    expect(drifted / 4 >= 0.5).toBe(expected.dataset_drift);
  });

  // runs last: every vector of the file was used by a test above
  it('has the 26 documented vectors and exercises each one', () => {
    expect(all).toHaveLength(26);
    expect([...tested].sort()).toEqual(all.map(v => v.name).sort());
  });
});
