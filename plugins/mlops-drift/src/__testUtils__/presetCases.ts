import { DriftOptions } from '../engine/options';
import { ColumnData, ColumnType } from '../engine/types';
import { InMemoryDataset } from '../io/inMemory';
import { Dtype } from './cases';
import { JsonValue, materialize, SampleSpec, toFloat64 } from './samples';

/** One column of a preset case. */
export interface PresetColumnSpec {
  type: Extract<ColumnType, 'numerical' | 'categorical' | 'boolean'>;
  dtype: Dtype;
  ref: SampleSpec;
  cur: SampleSpec;
}

/** A dataset pair run through Evidently's DataDriftPreset and through this engine. */
export interface PresetCaseSpec {
  id: string;
  /**
   * Evidently 0.7.23's DriftedColumnsCount (legacy get_drift_for_columns)
   * drops ±inf from a column only when the column also holds a NaN, while
   * its ValueDrift metric always drops them. Cases marked here make the two
   * disagree; this engine follows ValueDrift.
   */
  evidentlyCountKeepsInfinities?: boolean;
  columns: Record<string, PresetColumnSpec>;
  /** DataDriftPreset keyword arguments. */
  evidentlyOptions?: Record<string, unknown>;
  /** The same settings in this engine's terms. */
  options?: DriftOptions;
}

const normal = (n: number, seed: number, mean = 0, sd = 1): SampleSpec => ({
  kind: 'normal',
  n,
  seed,
  mean,
  sd,
});

const REF = 5000;
const CUR = 4000;

const largeColumns: Record<string, PresetColumnSpec> = {
  n_shift: {
    type: 'numerical',
    dtype: 'float',
    ref: normal(REF, 201),
    cur: normal(CUR, 202, 0.15),
  },
  n_same: {
    type: 'numerical',
    dtype: 'float',
    ref: normal(REF, 203, 5, 2),
    cur: normal(CUR, 204, 5, 2),
  },
  n_lowcard: {
    type: 'numerical',
    dtype: 'int',
    ref: { kind: 'integers', n: REF, seed: 205, lo: 0, hi: 3 },
    cur: {
      kind: 'categories',
      n: CUR,
      seed: 206,
      categories: [0, 1, 2, 3],
      weights: [1, 1, 1, 2],
    },
  },
  n_missing: {
    type: 'numerical',
    dtype: 'float',
    ref: {
      kind: 'concat',
      parts: [
        normal(REF - 3, 207),
        { kind: 'values', values: [null, 'Infinity', null] },
      ],
    },
    cur: {
      kind: 'concat',
      parts: [
        { kind: 'values', values: ['-Infinity', null] },
        normal(CUR - 2, 208, 0.02),
      ],
    },
  },
  c_shift: {
    type: 'categorical',
    dtype: 'str',
    ref: {
      kind: 'categories',
      n: REF,
      seed: 209,
      categories: ['a', 'b', 'c', 'd', 'e'],
      weights: [5, 4, 3, 2, 1],
    },
    cur: {
      kind: 'categories',
      n: CUR,
      seed: 210,
      categories: ['a', 'b', 'c', 'd', 'e'],
      weights: [3, 3, 3, 3, 3],
    },
  },
  c_new: {
    type: 'categorical',
    dtype: 'str',
    ref: { kind: 'categories', n: REF, seed: 211, categories: ['x', 'y', 'z'] },
    cur: {
      kind: 'categories',
      n: CUR,
      seed: 212,
      categories: ['x', 'y', 'z', 'new'],
      weights: [10, 10, 10, 1],
    },
  },
  b_flag: {
    type: 'boolean',
    dtype: 'bool',
    ref: {
      kind: 'categories',
      n: REF,
      seed: 213,
      categories: [true, false],
      weights: [7, 3],
    },
    cur: {
      kind: 'categories',
      n: CUR,
      seed: 214,
      categories: [true, false],
      weights: [7, 3],
    },
  },
};

/** The preset cases of the committed Evidently fixture. */
export function presetCaseSpecs(): PresetCaseSpec[] {
  return [
    {
      // drift.md example E1: reference ≤ 1000 rows → ks, chisquare, z
      id: 'E1',
      columns: {
        num_a: {
          type: 'numerical',
          dtype: 'float',
          ref: { kind: 'sequence', n: 200, divisor: 200 },
          cur: { kind: 'sequence', n: 200, divisor: 200, offset: 0.3 },
        },
        num_b: {
          type: 'numerical',
          dtype: 'int',
          ref: { kind: 'sequence', n: 200, divisor: 1, modulo: 50 },
          cur: { kind: 'sequence', n: 200, divisor: 1, modulo: 50 },
        },
        cat_c: {
          type: 'categorical',
          dtype: 'str',
          ref: { kind: 'cycle', n: 200, values: ['x', 'y', 'z'] },
          cur: { kind: 'cycle', n: 200, values: ['x', 'y', 'z'] },
        },
        bin_d: {
          type: 'categorical',
          dtype: 'str',
          ref: {
            kind: 'concat',
            parts: [
              { kind: 'repeat', n: 120, value: '0' },
              { kind: 'repeat', n: 80, value: '1' },
            ],
          },
          cur: {
            kind: 'concat',
            parts: [
              { kind: 'repeat', n: 80, value: '0' },
              { kind: 'repeat', n: 120, value: '1' },
            ],
          },
        },
      },
    },
    {
      // reference > 1000 rows → wasserstein and jensenshannon
      id: 'large-5000x4000',
      columns: largeColumns,
    },
    {
      id: 'large-5000x4000-overrides',
      columns: largeColumns,
      evidentlyOptions: {
        drift_share: 0.3,
        per_column_method: {
          n_same: 'ks',
          c_shift: 'psi',
          n_lowcard: 'kl_div',
        },
        num_threshold: 0.12,
        per_column_threshold: { c_new: 0.05 },
        cat_method: 'hellinger',
      },
      options: {
        driftShare: 0.3,
        perColumnMethod: { n_same: 'ks', c_shift: 'psi', n_lowcard: 'kl_div' },
        numThreshold: 0.12,
        perColumnThreshold: { c_new: 0.05 },
        catMethod: 'hellinger',
      },
    },
    {
      id: 'inf-without-nan',
      evidentlyCountKeepsInfinities: true,
      columns: {
        n_inf: {
          type: 'numerical',
          dtype: 'float',
          ref: {
            kind: 'concat',
            parts: [normal(1999, 215), { kind: 'values', values: [null] }],
          },
          cur: {
            kind: 'concat',
            parts: [
              normal(1499, 216),
              { kind: 'values', values: ['-Infinity'] },
            ],
          },
        },
        n_ok: {
          type: 'numerical',
          dtype: 'float',
          ref: normal(2000, 217),
          cur: normal(1500, 218),
        },
      },
    },
  ];
}

/** The preset case as the oracle's `evidently_preset` op expects it. */
export function materializePresetCase(
  spec: PresetCaseSpec,
): Record<string, unknown> {
  const side = (key: 'ref' | 'cur') =>
    Object.fromEntries(
      Object.entries(spec.columns).map(([name, column]) => [
        name,
        { dtype: column.dtype, values: materialize(column[key]) },
      ]),
    );
  return {
    id: spec.id,
    op: 'evidently_preset',
    reference: side('ref'),
    current: side('cur'),
    numerical: Object.keys(spec.columns).filter(
      c => spec.columns[c].type === 'numerical',
    ),
    categorical: Object.keys(spec.columns).filter(
      c => spec.columns[c].type !== 'numerical',
    ),
    options: spec.evidentlyOptions ?? {},
  };
}

/** Column data as pandas would type it (int64 columns flagged as integer). */
export function toColumnData(values: JsonValue[], dtype: Dtype): ColumnData {
  if (dtype === 'float' || dtype === 'int') {
    return {
      kind: 'numeric',
      values: toFloat64(values),
      integer: dtype === 'int',
    };
  }
  const index = new Map<JsonValue, number>();
  const categories: Array<string | number | boolean> = [];
  const codes = Int32Array.from(values, v => {
    if (v === null) {
      return -1;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = categories.length;
      index.set(v, code);
      categories.push(v);
    }
    return code;
  });
  return { kind: 'categorical', codes, categories };
}

/** The preset case's two datasets and column types for this engine. */
export function presetCaseDatasets(spec: PresetCaseSpec): {
  reference: InMemoryDataset;
  current: InMemoryDataset;
  columnTypes: Record<string, ColumnType>;
} {
  const side = (key: 'ref' | 'cur'): InMemoryDataset => ({
    name: `${spec.id}-${key}`,
    columns: Object.fromEntries(
      Object.entries(spec.columns).map(([name, column]) => [
        name,
        toColumnData(materialize(column[key]), column.dtype),
      ]),
    ),
  });
  return {
    reference: side('ref'),
    current: side('cur'),
    columnTypes: Object.fromEntries(
      Object.entries(spec.columns).map(([name, column]) => [name, column.type]),
    ),
  };
}
