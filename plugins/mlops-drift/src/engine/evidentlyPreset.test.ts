import fixture from '../__fixtures__/evidently-cases.json';
import { expectPValue, expectStatistic } from '../__testUtils__/expect';
import {
  presetCaseDatasets,
  PresetCaseSpec,
} from '../__testUtils__/presetCases';
import { DriftWorkerPool } from '../worker/pool';
import { computeDriftReport } from './computeDriftReport';
import { DRIFT_METHOD_INFO } from './methods';
import { DriftMethod } from './types';

jest.setTimeout(60_000);

interface PresetExpected {
  columns: Record<
    string,
    { method: DriftMethod; score: number; threshold: number; drifted: boolean }
  >;
  share: number;
  drifted_count: number;
  dataset_drift: boolean;
}

const cases = fixture.cases as unknown as Array<{
  spec: PresetCaseSpec;
  expected: PresetExpected;
}>;

describe(`Evidently ${fixture.versions.evidently} DataDriftPreset cross-check`, () => {
  const pool = new DriftWorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('has example E1, a larger case with overrides and the ±inf case', () => {
    expect(cases.map(c => c.spec.id)).toEqual([
      'E1',
      'large-5000x4000',
      'large-5000x4000-overrides',
      'inf-without-nan',
    ]);
  });

  async function ours(spec: PresetCaseSpec) {
    const { reference, current, columnTypes } = presetCaseDatasets(spec);
    return computeDriftReport({
      reference,
      current,
      columnTypes,
      options: spec.options,
      pool,
    });
  }

  it.each(cases.map(c => [c.spec.id, c] as const))(
    '%s: per-column method, score, threshold and verdict',
    async (_id, { spec, expected }) => {
      const report = await ours(spec);
      expect(report.columns.map(c => c.column)).toEqual(
        Object.keys(expected.columns),
      );
      for (const column of report.columns) {
        const want = expected.columns[column.column];
        const isPValue = DRIFT_METHOD_INFO[column.method].kind === 'p-value';
        const check = isPValue ? expectPValue : expectStatistic;
        check(
          isPValue ? column.pValue! : column.statistic,
          want.score,
          column.column,
        );
        expect([
          column.column,
          column.method,
          column.threshold,
          column.drifted,
        ]).toEqual([column.column, want.method, want.threshold, want.drifted]);
      }
      // the dataset verdict counts the per-column (ValueDrift) verdicts
      const valueDriftCount = Object.values(expected.columns).filter(
        c => c.drifted,
      ).length;
      const total = Object.keys(expected.columns).length;
      expect(report.dataset.numberOfDriftedColumns).toBe(valueDriftCount);
      expect(report.dataset.driftShare).toBe(valueDriftCount / total);
      expect(report.dataset.drifted).toBe(
        valueDriftCount / total >= (spec.options?.driftShare ?? 0.5),
      );
    },
  );

  const consistent = cases.filter(c => !c.spec.evidentlyCountKeepsInfinities);
  it.each(consistent.map(c => [c.spec.id, c] as const))(
    "%s: dataset share and verdict equal Evidently's DriftedColumnsCount",
    async (_id, { spec, expected }) => {
      const report = await ours(spec);
      expect(report.dataset.numberOfDriftedColumns).toBe(
        expected.drifted_count,
      );
      expect(report.dataset.driftShare).toBeCloseTo(expected.share, 15);
      expect(report.dataset.drifted).toBe(expected.dataset_drift);
    },
  );

  it("inf-without-nan: Evidently's DriftedColumnsCount keeps -inf when a column has no NaN; this engine drops it like ValueDrift", async () => {
    const { spec, expected } = cases.find(
      c => c.spec.evidentlyCountKeepsInfinities,
    )!;
    const report = await ours(spec);
    const n = report.columns.find(c => c.column === 'n_inf')!;
    expect([n.drifted, n.currentDropped]).toEqual([false, 1]);
    expect(expected.columns.n_inf.drifted).toBe(false);
    expect(expected.drifted_count).toBe(
      report.dataset.numberOfDriftedColumns + 1,
    );
  });
});
