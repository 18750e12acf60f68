import { CompensatedSum, populationStd } from './summation';

/** Evidently's floor for the reference standard deviation in the normed W1. */
export const WASSERSTEIN_STD_FLOOR = 0.001;

/**
 * First Wasserstein distance between two empirical distributions given as
 * ascending arrays: W₁ = ∫|F_u − F_v| dx = Σ |F_u(x_k) − F_v(x_k)|·(x_{k+1} − x_k)
 * over the merged sample, as `scipy.stats.wasserstein_distance` computes it
 * (right-continuous CDFs at every merged point but the last).
 */
export function wasserstein1Sorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) {
    throw new RangeError('wasserstein_distance needs two non-empty samples');
  }
  // a hot loop over up to 2M values: Neumaier summation kept in locals
  let sum = 0;
  let compensation = 0;
  let i = 0;
  let j = 0;
  // current merged value
  let x = u[0] <= v[0] ? u[0] : v[0];
  for (;;) {
    while (i < nu && u[i] <= x) {
      i++;
    }
    while (j < nv && v[j] <= x) {
      j++;
    }
    if (i >= nu && j >= nv) {
      break;
    }
    let next: number;
    if (j >= nv || (i < nu && u[i] <= v[j])) {
      next = u[i];
    } else {
      next = v[j];
    }
    const term = Math.abs(i / nu - j / nv) * (next - x);
    const t = sum + term;
    compensation += sum >= term ? sum - t + term : term - t + sum;
    sum = t;
    x = next;
  }
  return Number.isFinite(sum) ? sum + compensation : sum;
}

/**
 * Weighted W₁ with scipy's signature (u_values, v_values, u_weights,
 * v_weights): CDFs from cumulative weights, normalised by the total weight.
 * Used for the scipy documentation vectors and by callers holding weighted
 * (e.g. aggregated) samples.
 */
export function wasserstein1(
  uValues: ArrayLike<number>,
  vValues: ArrayLike<number>,
  uWeights?: ArrayLike<number>,
  vWeights?: ArrayLike<number>,
): number {
  const prepare = (values: ArrayLike<number>, weights?: ArrayLike<number>) => {
    const n = values.length;
    if (n === 0) {
      throw new RangeError('wasserstein_distance needs non-empty samples');
    }
    if (weights && weights.length !== n) {
      throw new RangeError('weights must have the same length as values');
    }
    const order = Array.from({ length: n }, (_, k) => k).sort(
      (p, q) => values[p] - values[q],
    );
    const sorted = new Float64Array(n);
    const cumulative = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) {
      sorted[k] = values[order[k]];
      const w = weights ? weights[order[k]] : 1;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new RangeError('weights must be finite and non-negative');
      }
      cumulative[k + 1] = cumulative[k] + w;
    }
    if (!(cumulative[n] > 0)) {
      throw new RangeError('weights must sum to a positive value');
    }
    return { sorted, cumulative };
  };
  const u = prepare(uValues, uWeights);
  const v = prepare(vValues, vWeights);
  const all = new Float64Array(u.sorted.length + v.sorted.length);
  all.set(u.sorted);
  all.set(v.sorted, u.sorted.length);
  all.sort();

  const total = new CompensatedSum();
  let i = 0;
  let j = 0;
  const uTotal = u.cumulative[u.sorted.length];
  const vTotal = v.cumulative[v.sorted.length];
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k];
    while (i < u.sorted.length && u.sorted[i] <= x) {
      i++;
    }
    while (j < v.sorted.length && v.sorted[j] <= x) {
      j++;
    }
    const diff = Math.abs(u.cumulative[i] / uTotal - v.cumulative[j] / vTotal);
    total.add(diff * (all[k + 1] - x));
  }
  return total.value();
}

/** Result of Evidently's normed Wasserstein distance. */
export interface NormedWassersteinResult {
  /** W₁ / max(std_pop(reference), 0.001). */
  statistic: number;
  /** Unnormalised W₁. */
  distance: number;
  /** Population standard deviation of the reference (ddof = 0). */
  referenceStd: number;
}

/**
 * Evidently's `wasserstein` stattest: W₁(R, C) divided by the reference's
 * population standard deviation, floored at 0.001.
 */
export function normedWassersteinSorted(
  reference: Float64Array,
  current: Float64Array,
): NormedWassersteinResult {
  const distance = wasserstein1Sorted(reference, current);
  const referenceStd = populationStd(reference);
  const norm = Math.max(referenceStd, WASSERSTEIN_STD_FLOOR);
  return { statistic: distance / norm, distance, referenceStd };
}
