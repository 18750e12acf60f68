import fixture from '../__fixtures__/scipy-cases.json';
import { CaseSpec } from '../__testUtils__/cases';
import { expectPValue, expectStatistic } from '../__testUtils__/expect';
import {
  fromJsonNumber,
  JsonValue,
  materialize,
  toFloat64,
} from '../__testUtils__/samples';
import { chiSquare } from './categorical';
import { jensenShannonDistance } from './divergence';
import { kstwoSf, kstwoSfBranch } from './kolmogorov';
import { ks2SampSorted, KS_MAX_EXACT_N } from './ks';
import { smirnovSf } from './smirnov';
import { chi2Sf, ndtr, roundHalfEven } from './special';
import { wasserstein1 } from './wasserstein';

type Expected = Record<string, JsonValue | boolean>;
const cases = fixture.cases as unknown as Array<{
  spec: CaseSpec;
  expected: Expected;
}>;

function byOp<K extends CaseSpec['op']>(op: K) {
  return cases.filter(c => c.spec.op === op) as Array<{
    spec: Extract<CaseSpec, { op: K }>;
    expected: Expected;
  }>;
}

const num = (value: JsonValue | boolean | undefined) =>
  fromJsonNumber(value as JsonValue);

jest.setTimeout(60_000);

describe(`scipy ${fixture.versions.scipy} fixture (scripts/generate-fixtures.ts)`, () => {
  it('covers every kind of case', () => {
    const ops = new Set(cases.map(c => c.spec.op));
    expect([...ops].sort()).toEqual([
      'chi2_sf',
      'chisquare',
      'evidently_default',
      'evidently_stattest',
      'jensenshannon',
      'ks_2samp',
      'kstwo_sf',
      'ndtr',
      'smirnov',
      'wasserstein',
    ]);
  });

  describe('ks_2samp', () => {
    it.each(byOp('ks_2samp').map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        const a = toFloat64(materialize(spec.a)).sort();
        const b = toFloat64(materialize(spec.b)).sort();
        const result = ks2SampSorted(a, b);
        expectStatistic(result.statistic, num(expected.statistic), 'D');
        expectPValue(result.pValue, num(expected.pvalue), 'p');
        expect(result.method).toBe(
          Math.max(a.length, b.length) <= KS_MAX_EXACT_N
            ? 'exact'
            : 'asymptotic',
        );
        const big = Math.max(a.length, b.length);
        const small = Math.min(a.length, b.length);
        const en = roundHalfEven((big * small) / (big + small));
        // cases named after a kstwo branch must land in it
        expect(spec.branch && kstwoSfBranch(result.statistic, en)).toBe(
          spec.branch,
        );
      },
    );

    it('rounds m·n/(m+n) half to even like numpy (10001 vs 10001 → n = 5000)', () => {
      const spec = byOp('ks_2samp').find(
        c => c.spec.id === 'ks-asymp-halfeven-10001v10001',
      )!;
      const a = toFloat64(materialize(spec.spec.a)).sort();
      const b = toFloat64(materialize(spec.spec.b)).sort();
      const d = ks2SampSorted(a, b).statistic;
      expectPValue(kstwoSf(d, 5000), num(spec.expected.pvalue));
      expect(
        Math.abs(kstwoSf(d, 5001) / num(spec.expected.pvalue) - 1),
      ).toBeGreaterThan(1e-6);
    });
  });

  describe('kstwo.sf', () => {
    const grid = byOp('kstwo_sf');
    it('reaches every branch of _kolmogn', () => {
      const branches = new Set(
        grid.map(c => kstwoSfBranch(c.spec.d, c.spec.n)),
      );
      expect([...branches].sort()).toEqual([
        'durbin-matrix',
        'limit',
        'pelz-good',
        'pomeranz',
        'ruben-gambino',
        'smirnov',
      ]);
    });
    it.each(grid.map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        expectPValue(kstwoSf(spec.d, spec.n), num(expected.p));
      },
    );
  });

  describe('smirnov', () => {
    it.each(byOp('smirnov').map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        expectPValue(smirnovSf(spec.n, spec.x), num(expected.p));
      },
    );
  });

  describe('chi2.sf and ndtr', () => {
    it.each(byOp('chi2_sf').map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        expectPValue(chi2Sf(spec.x, spec.df), num(expected.p));
      },
    );
    it.each(byOp('ndtr').map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        expectPValue(ndtr(spec.x), num(expected.p));
      },
    );
  });

  describe('chisquare, wasserstein, jensenshannon', () => {
    it.each(byOp('chisquare').map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        const result = chiSquare(spec.f_obs, spec.f_exp);
        expectStatistic(result.statistic, num(expected.statistic));
        expectPValue(result.pValue, num(expected.pvalue));
      },
    );
    it.each(byOp('wasserstein').map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        expectStatistic(
          wasserstein1(
            toFloat64(materialize(spec.u)),
            toFloat64(materialize(spec.v)),
          ),
          num(expected.w),
        );
      },
    );
    it.each(byOp('jensenshannon').map(c => [c.spec.id, c] as const))(
      '%s',
      (_id, { spec, expected }) => {
        expectStatistic(
          jensenShannonDistance(spec.p, spec.q, spec.base),
          num(expected.d),
        );
      },
    );
  });
});
