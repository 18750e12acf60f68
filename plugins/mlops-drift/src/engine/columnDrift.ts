import { InputError } from '@backstage/errors';
import {
  binCategorical,
  binNumerical,
  countByValue,
  countDistinctUpTo,
  histogramCounts,
  sturgesBinEdges,
} from '../stats/binning';
import { chiSquareEvidently, zTestEvidently } from '../stats/categorical';
import {
  hellingerCategorical,
  hellingerNumerical,
  jensenShannonDistance,
  klDivergence,
  populationStabilityIndex,
} from '../stats/divergence';
import { ks2SampSorted } from '../stats/ks';
import { sortFloat64 } from '../stats/sort';
import { normedWassersteinSorted } from '../stats/wasserstein';
import { compareCategoryValues, isDroppedCategory } from './categories';
import { DRIFT_METHOD_INFO, isDrifted, selectDefaultMethod } from './methods';
import {
  CategoricalColumnData,
  CategoryValue,
  ColumnData,
  ColumnDriftDetails,
  ColumnDriftResult,
  ColumnHistogram,
  DriftMethod,
  FeatureType,
  NumericColumnData,
} from './types';

/** Everything a worker needs to test one column. */
export interface ColumnTask {
  column: string;
  type: 'numerical' | 'categorical' | 'boolean';
  reference: ColumnData;
  current: ColumnData;
  referenceName: string;
  currentName: string;
  /** Method override (per column, per type or global); default selection when absent. */
  method?: DriftMethod;
  /** Threshold override; the method's default when absent. */
  threshold?: number;
  maxHistogramCategories: number;
}

interface Score {
  statistic: number;
  pValue: number | null;
  details: ColumnDriftDetails;
}

function emptyColumnError(task: ColumnTask, which: 'reference' | 'current') {
  const source = which === 'reference' ? task.referenceName : task.currentName;
  return new InputError(
    `Column '${task.column}' is empty in the ${which} dataset (${source}) after dropping missing, NaN and ±inf values`,
  );
}

function finiteValues(values: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      count++;
    }
  }
  if (count === values.length) {
    return Float64Array.from(values);
  }
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isFinite(x)) {
      out[k++] = x;
    }
  }
  return out;
}

function numericHistogram(
  reference: Float64Array,
  current: Float64Array,
  integerDtype: boolean,
): ColumnHistogram {
  const edges = sturgesBinEdges([reference, current], integerDtype);
  return {
    kind: 'numeric',
    edges: Array.from(edges),
    reference: Array.from(histogramCounts(reference, edges)),
    current: Array.from(histogramCounts(current, edges)),
  };
}

function resolveMethod(
  task: ColumnTask,
  featureType: FeatureType,
  referenceRows: number,
  distinctValues: number,
): { method: DriftMethod; source: 'default' | 'override' } {
  if (task.method === undefined) {
    return {
      method: selectDefaultMethod(featureType, referenceRows, distinctValues),
      source: 'default',
    };
  }
  if (!DRIFT_METHOD_INFO[task.method].featureTypes.includes(featureType)) {
    throw new InputError(
      `Method '${task.method}' cannot test column '${
        task.column
      }': it applies to ${DRIFT_METHOD_INFO[task.method].featureTypes.join(
        ' and ',
      )} columns, and '${task.column}' is ${task.type}`,
    );
  }
  return { method: task.method, source: 'override' };
}

function scoreNumerical(
  method: DriftMethod,
  reference: Float64Array,
  current: Float64Array,
  integerDtype: boolean,
): Score {
  switch (method) {
    case 'ks': {
      sortFloat64(reference);
      sortFloat64(current);
      const ks = ks2SampSorted(reference, current);
      return {
        statistic: ks.statistic,
        pValue: ks.pValue,
        details: { ksPValueMethod: ks.method },
      };
    }
    case 'wasserstein': {
      sortFloat64(reference);
      sortFloat64(current);
      const w = normedWassersteinSorted(reference, current);
      return {
        statistic: w.statistic,
        pValue: null,
        details: {
          wassersteinDistance: w.distance,
          referenceStd: w.referenceStd,
        },
      };
    }
    case 'chisquare':
    case 'z': {
      const counted = countByValue(reference, current);
      return scoreCounts(
        method,
        counted.keys,
        counted.reference,
        counted.current,
      );
    }
    case 'jensenshannon': {
      const binned = binNumerical(reference, current, {
        fill: false,
        integerDtype,
      });
      return {
        statistic: jensenShannonDistance(binned.reference, binned.current),
        pValue: null,
        details: { binning: binned.binning },
      };
    }
    case 'psi':
    case 'kl_div': {
      const binned = binNumerical(reference, current, {
        fill: true,
        integerDtype,
      });
      return {
        statistic:
          method === 'psi'
            ? populationStabilityIndex(binned.reference, binned.current)
            : klDivergence(binned.reference, binned.current),
        pValue: null,
        details: { binning: binned.binning },
      };
    }
    case 'hellinger':
      return {
        statistic: hellingerNumerical(reference, current, integerDtype),
        pValue: null,
        details: {},
      };
    default:
      throw new InputError(`Unknown drift method '${String(method)}'`);
  }
}

function scoreCounts(
  method: DriftMethod,
  keys: ReadonlyArray<CategoryValue>,
  referenceCounts: Float64Array,
  currentCounts: Float64Array,
): Score {
  switch (method) {
    case 'chisquare': {
      const chi = chiSquareEvidently(referenceCounts, currentCounts);
      return {
        statistic: chi.statistic,
        pValue: chi.pValue,
        details: { degreesOfFreedom: chi.degreesOfFreedom },
      };
    }
    case 'z': {
      let first = 0;
      for (let k = 1; k < keys.length; k++) {
        if (compareCategoryValues(keys[k], keys[first]) < 0) {
          first = k;
        }
      }
      let nRef = 0;
      let nCur = 0;
      let refKinds = 0;
      let curKinds = 0;
      let sameKey = -1;
      for (let k = 0; k < keys.length; k++) {
        nRef += referenceCounts[k];
        nCur += currentCounts[k];
        if (referenceCounts[k] > 0) {
          refKinds++;
        }
        if (currentCounts[k] > 0) {
          curKinds++;
        }
        if (referenceCounts[k] > 0 && currentCounts[k] > 0) {
          sameKey = k;
        }
      }
      const z = zTestEvidently(
        referenceCounts[first],
        nRef,
        currentCounts[first],
        nCur,
        refKinds === 1 && curKinds === 1 && sameKey >= 0,
      );
      return { statistic: z.statistic, pValue: z.pValue, details: {} };
    }
    case 'jensenshannon': {
      const binned = binCategorical(referenceCounts, currentCounts, {
        fill: false,
      });
      return {
        statistic: jensenShannonDistance(binned.reference, binned.current),
        pValue: null,
        details: { binning: 'values' },
      };
    }
    case 'psi':
    case 'kl_div': {
      const binned = binCategorical(referenceCounts, currentCounts, {
        fill: true,
      });
      return {
        statistic:
          method === 'psi'
            ? populationStabilityIndex(binned.reference, binned.current)
            : klDivergence(binned.reference, binned.current),
        pValue: null,
        details: { binning: 'values' },
      };
    }
    case 'hellinger':
      return {
        statistic: hellingerCategorical(referenceCounts, currentCounts),
        pValue: null,
        details: {},
      };
    default:
      throw new InputError(
        `Method '${method}' cannot test a categorical column`,
      );
  }
}

function expectKind<K extends ColumnData['kind']>(
  task: ColumnTask,
  data: ColumnData,
  kind: K,
  which: 'reference' | 'current',
): Extract<ColumnData, { kind: K }> {
  if (data.kind !== kind) {
    const source =
      which === 'reference' ? task.referenceName : task.currentName;
    throw new InputError(
      `Column '${task.column}' is declared ${task.type} but holds ${
        data.kind === 'numeric' ? 'numbers only' : 'non-numeric values'
      } in the ${which} dataset (${source})`,
    );
  }
  return data as Extract<ColumnData, { kind: K }>;
}

function computeNumerical(task: ColumnTask): ColumnDriftResult {
  const refData: NumericColumnData = expectKind(
    task,
    task.reference,
    'numeric',
    'reference',
  );
  const curData: NumericColumnData = expectKind(
    task,
    task.current,
    'numeric',
    'current',
  );
  const reference = finiteValues(refData.values);
  const current = finiteValues(curData.values);
  if (reference.length === 0) {
    throw emptyColumnError(task, 'reference');
  }
  if (current.length === 0) {
    throw emptyColumnError(task, 'current');
  }
  const integerDtype = refData.integer && curData.integer;
  const distinctValues = countDistinctUpTo([reference, current], 5);
  const { method, source } = resolveMethod(
    task,
    'numerical',
    reference.length,
    distinctValues,
  );
  const histogram = numericHistogram(reference, current, integerDtype);
  const score = scoreNumerical(method, reference, current, integerDtype);
  return finish(task, 'numerical', method, source, score, histogram, {
    referenceCount: reference.length,
    currentCount: current.length,
    referenceDropped: refData.values.length - reference.length,
    currentDropped: curData.values.length - current.length,
    distinctValues,
  });
}

interface MergedCounts {
  keys: CategoryValue[];
  reference: Float64Array;
  current: Float64Array;
  referenceTotal: number;
  currentTotal: number;
}

function mergeCategoryCounts(
  reference: CategoricalColumnData,
  current: CategoricalColumnData,
): MergedCounts {
  const index = new Map<CategoryValue, number>();
  const keys: CategoryValue[] = [];
  const mapCodes = (data: CategoricalColumnData) => {
    const mapping = new Int32Array(data.categories.length);
    data.categories.forEach((value, code) => {
      if (isDroppedCategory(value)) {
        mapping[code] = -1;
        return;
      }
      let k = index.get(value);
      if (k === undefined) {
        k = keys.length;
        index.set(value, k);
        keys.push(value);
      }
      mapping[code] = k;
    });
    return mapping;
  };
  const refMapping = mapCodes(reference);
  const curMapping = mapCodes(current);
  const count = (data: CategoricalColumnData, mapping: Int32Array) => {
    const counts = new Float64Array(keys.length);
    let total = 0;
    const codes = data.codes;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code < 0) {
        continue;
      }
      const k = mapping[code];
      if (k >= 0) {
        counts[k]++;
        total++;
      }
    }
    return { counts, total };
  };
  const ref = count(reference, refMapping);
  const cur = count(current, curMapping);
  // keep only categories that occur (dictionaries may list unused values)
  const used: number[] = [];
  for (let k = 0; k < keys.length; k++) {
    if (ref.counts[k] > 0 || cur.counts[k] > 0) {
      used.push(k);
    }
  }
  return {
    keys: used.map(k => keys[k]),
    reference: Float64Array.from(used, k => ref.counts[k]),
    current: Float64Array.from(used, k => cur.counts[k]),
    referenceTotal: ref.total,
    currentTotal: cur.total,
  };
}

function categoricalHistogram(
  merged: MergedCounts,
  maxCategories: number,
): ColumnHistogram {
  const order = merged.keys.map((_, k) => k);
  order.sort((a, b) => {
    const diff =
      merged.reference[b] +
      merged.current[b] -
      (merged.reference[a] + merged.current[a]);
    return diff !== 0
      ? diff
      : compareCategoryValues(merged.keys[a], merged.keys[b]);
  });
  const shown = order.slice(0, maxCategories);
  let otherReference = 0;
  let otherCurrent = 0;
  for (const k of order.slice(maxCategories)) {
    otherReference += merged.reference[k];
    otherCurrent += merged.current[k];
  }
  return {
    kind: 'categorical',
    categories: shown.map(k => merged.keys[k]),
    reference: shown.map(k => merged.reference[k]),
    current: shown.map(k => merged.current[k]),
    otherReference,
    otherCurrent,
  };
}

function computeCategorical(task: ColumnTask): ColumnDriftResult {
  const refData = expectKind(task, task.reference, 'categorical', 'reference');
  const curData = expectKind(task, task.current, 'categorical', 'current');
  const merged = mergeCategoryCounts(refData, curData);
  if (merged.referenceTotal === 0) {
    throw emptyColumnError(task, 'reference');
  }
  if (merged.currentTotal === 0) {
    throw emptyColumnError(task, 'current');
  }
  const distinctValues = merged.keys.length;
  const { method, source } = resolveMethod(
    task,
    'categorical',
    merged.referenceTotal,
    distinctValues,
  );
  const score = scoreCounts(
    method,
    merged.keys,
    merged.reference,
    merged.current,
  );
  return finish(
    task,
    'categorical',
    method,
    source,
    score,
    categoricalHistogram(merged, task.maxHistogramCategories),
    {
      referenceCount: merged.referenceTotal,
      currentCount: merged.currentTotal,
      referenceDropped: refData.codes.length - merged.referenceTotal,
      currentDropped: curData.codes.length - merged.currentTotal,
      distinctValues,
    },
  );
}

function finish(
  task: ColumnTask,
  featureType: FeatureType,
  method: DriftMethod,
  methodSource: 'default' | 'override',
  score: Score,
  histogram: ColumnHistogram,
  counts: {
    referenceCount: number;
    currentCount: number;
    referenceDropped: number;
    currentDropped: number;
    distinctValues: number;
  },
): ColumnDriftResult {
  const info = DRIFT_METHOD_INFO[method];
  const threshold = task.threshold ?? info.defaultThreshold;
  const verdictScore = info.kind === 'p-value' ? score.pValue : score.statistic;
  return {
    column: task.column,
    type: task.type,
    featureType,
    method,
    methodSource,
    statistic: score.statistic,
    pValue: info.kind === 'p-value' ? score.pValue : null,
    threshold,
    comparison: info.comparison,
    drifted:
      verdictScore !== null &&
      !Number.isNaN(verdictScore) &&
      isDrifted(method, verdictScore, threshold),
    referenceCount: counts.referenceCount,
    currentCount: counts.currentCount,
    referenceDropped: counts.referenceDropped,
    currentDropped: counts.currentDropped,
    details: { ...score.details, distinctValues: counts.distinctValues },
    histogram,
  };
}

/**
 * Tests one column: drops missing, NaN and ±inf values, picks Evidently's
 * default method unless overridden, computes the score and the verdict with
 * the method's operator, and builds the column's histogram. Pure and
 * synchronous; the worker pool runs it off the main thread.
 */
export function computeColumnDrift(task: ColumnTask): ColumnDriftResult {
  if (task.type === 'numerical') {
    return computeNumerical(task);
  }
  return computeCategorical(task);
}
