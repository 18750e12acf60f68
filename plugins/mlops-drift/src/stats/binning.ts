/**
 * numpy's `linspace(start, stop, num)` with endpoint=True: y_i = i·step + start,
 * the last point set to `stop` exactly.
 */
export function linspace(
  start: number,
  stop: number,
  num: number,
): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) {
    out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  }
  out[num - 1] = stop;
  return out;
}

/** Minimum and maximum over several arrays (NaN-free input). */
export function minMax(arrays: ReadonlyArray<Float64Array>): {
  min: number;
  max: number;
  count: number;
} {
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  for (const values of arrays) {
    count += values.length;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x < min) {
        min = x;
      }
      if (x > max) {
        max = x;
      }
    }
  }
  return { min, max, count };
}

/**
 * `np.histogram_bin_edges(concat(arrays), bins='sturges')`: equal-width bins
 * over [min, max] (widened by ±0.5 when min = max), bin width
 * ptp/(log₂(n) + 1), number of bins ceil((max − min)/width). For integer
 * dtypes numpy raises a width below 1 to 1; `integerDtype` reproduces that
 * (pandas columns holding only integers, with no missing values, are int64).
 */
export function sturgesBinEdges(
  arrays: ReadonlyArray<Float64Array>,
  integerDtype = false,
): Float64Array {
  const { min, max, count } = minMax(arrays);
  if (count === 0) {
    return linspace(0, 1, 2);
  }
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  let width = (max - min) / (Math.log2(count) + 1);
  if (integerDtype && width < 1) {
    width = 1;
  }
  const nBins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, nBins + 1);
}

/**
 * `np.histogram(values, edges)[0]` for equal-width edges: bin i holds
 * edges[i] ≤ x < edges[i+1], the last bin is closed, values outside
 * [edges[0], edges[last]] are ignored. The index is first estimated
 * arithmetically and then corrected against the edges, so the result is
 * exactly the comparison-based assignment numpy makes.
 */
export function histogramCounts(
  values: ArrayLike<number>,
  edges: Float64Array,
): Float64Array {
  const nBins = edges.length - 1;
  const counts = new Float64Array(nBins);
  const first = edges[0];
  const last = edges[nBins];
  const norm = nBins / (last - first);
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (!(x >= first && x <= last)) {
      continue;
    }
    let i = Math.floor((x - first) * norm);
    if (i >= nBins) {
      i = nBins - 1;
    }
    if (i < 0) {
      i = 0;
    }
    while (i > 0 && x < edges[i]) {
      i--;
    }
    while (i < nBins - 1 && x >= edges[i + 1]) {
      i++;
    }
    counts[i]++;
  }
  return counts;
}

/**
 * Number of distinct values, counting at most up to `cap` + 1 (enough to
 * decide thresholds like "more than 20 unique values" without hashing a
 * million floats).
 */
export function countDistinctUpTo(
  arrays: ReadonlyArray<Float64Array>,
  cap: number,
): number {
  const seen = new Set<number>();
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      seen.add(values[i]);
      if (seen.size > cap) {
        return seen.size;
      }
    }
  }
  return seen.size;
}

/** Counts per distinct value over the union of keys of both samples. */
export function countByValue(
  reference: Float64Array,
  current: Float64Array,
): { keys: number[]; reference: Float64Array; current: Float64Array } {
  const index = new Map<number, number>();
  const keys: number[] = [];
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  const visit = (values: Float64Array, target: number[], other: number[]) => {
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      let k = index.get(x);
      if (k === undefined) {
        k = keys.length;
        index.set(x, k);
        keys.push(x);
        target.push(0);
        other.push(0);
      }
      target[k]++;
    }
  };
  visit(reference, refCounts, curCounts);
  visit(current, curCounts, refCounts);
  return {
    keys,
    reference: Float64Array.from(refCounts),
    current: Float64Array.from(curCounts),
  };
}

/**
 * Evidently's zero fill for PSI and KL: every 0 becomes min_nonzero/1e6 if
 * the smallest non-zero proportion is ≤ 1e-4, else 1e-4 (without
 * renormalising). Returns a new array.
 */
export function fillZeroes(proportions: Float64Array): Float64Array {
  let minNonZero = Infinity;
  for (let i = 0; i < proportions.length; i++) {
    const p = proportions[i];
    if (p !== 0 && p < minNonZero) {
      minNonZero = p;
    }
  }
  const out = Float64Array.from(proportions);
  if (minNonZero === Infinity) {
    return out;
  }
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0) {
      out[i] = fill;
    }
  }
  return out;
}

/** Proportions from counts: count / total. */
export function toProportions(
  counts: Float64Array,
  total: number,
): Float64Array {
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    out[i] = counts[i] / total;
  }
  return out;
}

/** Binned proportions of a pair of samples, as Evidently's `get_binned_data` returns them. */
export interface BinnedProportions {
  reference: Float64Array;
  current: Float64Array;
  /** 'sturges': equal-width bins on the combined data; 'values': one bin per distinct value. */
  binning: 'sturges' | 'values';
}

/**
 * Evidently's `get_binned_data` for a numerical column: Sturges bins on the
 * combined data when the reference has more than 20 distinct values,
 * otherwise one bin per distinct value of the union. Proportions are counts
 * divided by each sample's size; with `fill` the zero-fill rule applies.
 */
export function binNumerical(
  reference: Float64Array,
  current: Float64Array,
  options: { fill: boolean; integerDtype?: boolean },
): BinnedProportions {
  let refCounts: Float64Array;
  let curCounts: Float64Array;
  let binning: BinnedProportions['binning'];
  if (countDistinctUpTo([reference], 20) > 20) {
    const edges = sturgesBinEdges([reference, current], options.integerDtype);
    refCounts = histogramCounts(reference, edges);
    curCounts = histogramCounts(current, edges);
    binning = 'sturges';
  } else {
    const counted = countByValue(reference, current);
    refCounts = counted.reference;
    curCounts = counted.current;
    binning = 'values';
  }
  return finishBinning(
    refCounts,
    curCounts,
    reference.length,
    current.length,
    options.fill,
    binning,
  );
}

/** Evidently's `get_binned_data` for a categorical column, from per-key counts. */
export function binCategorical(
  referenceCounts: Float64Array,
  currentCounts: Float64Array,
  options: { fill: boolean },
): BinnedProportions {
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    nRef += referenceCounts[i];
    nCur += currentCounts[i];
  }
  return finishBinning(
    referenceCounts,
    currentCounts,
    nRef,
    nCur,
    options.fill,
    'values',
  );
}

function finishBinning(
  refCounts: Float64Array,
  curCounts: Float64Array,
  nRef: number,
  nCur: number,
  fill: boolean,
  binning: BinnedProportions['binning'],
): BinnedProportions {
  let reference = toProportions(refCounts, nRef);
  let current = toProportions(curCounts, nCur);
  if (fill) {
    reference = fillZeroes(reference);
    current = fillZeroes(current);
  }
  return { reference, current, binning };
}
