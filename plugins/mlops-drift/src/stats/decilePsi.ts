import { populationStabilityIndex } from './divergence';

/**
 * `np.quantile(sorted, q)` with numpy's default linear interpolation
 * (method 'linear': index q·(n − 1), interpolate between neighbours).
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) {
    return NaN;
  }
  const index = q * (n - 1);
  const lo = Math.floor(index);
  const hi = Math.min(lo + 1, n - 1);
  const fraction = index - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * fraction;
}

/** Result of the classic decile PSI. */
export interface DecilePsiResult {
  psi: number;
  /** Inner bin edges (the outer edges are −∞ and +∞). */
  innerEdges: number[];
  referenceProportions: number[];
  currentProportions: number[];
}

function proportions(values: ArrayLike<number>, edges: number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    // bins [e_i, e_{i+1}); the last one is closed
    let lo = 0;
    let hi = edges.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (x >= edges[mid]) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    counts[lo]++;
  }
  return counts.map(c => c / values.length);
}

/**
 * The classic credit-scoring PSI (not Evidently's `psi`): ten bins at the
 * reference deciles (`np.quantile`, linear), outer edges −∞/+∞ so every
 * current value is counted, duplicate edges dropped, empty bins set to
 * `epsilon` (1e-4 by default) before Σ (c − r)·ln(c/r).
 */
export function decilePsi(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: { bins?: number; epsilon?: number } = {},
): DecilePsiResult {
  const bins = options.bins ?? 10;
  const epsilon = options.epsilon ?? 1e-4;
  const sorted = Float64Array.from(reference).sort();
  const inner: number[] = [];
  for (let i = 1; i < bins; i++) {
    const edge = quantileSorted(sorted, i / bins);
    if (inner.length === 0 || edge !== inner[inner.length - 1]) {
      inner.push(edge);
    }
  }
  const edges = [-Infinity, ...inner, Infinity];
  const ref = proportions(reference, edges);
  const cur = proportions(current, edges);
  const fill = (p: number[]) => p.map(v => (v === 0 ? epsilon : v));
  return {
    psi: populationStabilityIndex(fill(ref), fill(cur)),
    innerEdges: inner,
    referenceProportions: ref,
    currentProportions: cur,
  };
}
