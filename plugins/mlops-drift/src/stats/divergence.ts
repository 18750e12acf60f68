import { histogramCounts, sturgesBinEdges } from './binning';
import { CompensatedSum, sum } from './summation';

/** `scipy.special.rel_entr(x, y)`: x·ln(x/y), 0 at x = 0, +inf where undefined. */
export function relEntr(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) {
    return NaN;
  }
  if (x > 0 && y > 0) {
    return x * Math.log(x / y);
  }
  if (x === 0 && y >= 0) {
    return 0;
  }
  return Infinity;
}

function normalise(values: ArrayLike<number>): Float64Array {
  const total = sum(values);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = values[i] / total;
  }
  return out;
}

function assertSameLength(p: ArrayLike<number>, q: ArrayLike<number>) {
  if (p.length !== q.length) {
    throw new RangeError(
      `distributions must have the same length (${p.length} vs ${q.length})`,
    );
  }
}

/**
 * `scipy.spatial.distance.jensenshannon(p, q, base)`: both inputs are
 * normalised to sum to 1, M = (P + Q)/2, distance = √(½KL(P‖M) + ½KL(Q‖M)).
 * Natural logarithm unless `base` is given (Evidently passes none, so its
 * maximum is √ln 2 ≈ 0.8326).
 */
export function jensenShannonDistance(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  base?: number,
): number {
  assertSameLength(p, q);
  const pn = normalise(p);
  const qn = normalise(q);
  const left = new CompensatedSum();
  const right = new CompensatedSum();
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i] + qn[i]) / 2;
    left.add(relEntr(pn[i], m));
    right.add(relEntr(qn[i], m));
  }
  let js = left.value() + right.value();
  if (base !== undefined) {
    js /= Math.log(base);
  }
  return Math.sqrt(js / 2);
}

/**
 * `scipy.stats.entropy(p, q)`: Kullback–Leibler divergence Σ p·ln(p/q) after
 * normalising both inputs (Evidently's `kl_div` passes zero-filled
 * proportions).
 */
export function klDivergence(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
): number {
  assertSameLength(p, q);
  const pn = normalise(p);
  const qn = normalise(q);
  const acc = new CompensatedSum();
  for (let i = 0; i < pn.length; i++) {
    acc.add(relEntr(pn[i], qn[i]));
  }
  return acc.value();
}

/**
 * Population stability index Σ (r − c)·ln(r/c) over bins (Evidently's
 * `psi`, on zero-filled proportions, not renormalised). Symmetric: equals
 * KL(R‖C) + KL(C‖R) on the bins.
 */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): number {
  assertSameLength(reference, current);
  const acc = new CompensatedSum();
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i];
    const c = current[i];
    acc.add((r - c) * Math.log(r / c));
  }
  return acc.value();
}

/**
 * Evidently's Hellinger distance for a categorical column:
 * √(1 − clip(Σ √(p·q), 0, 1)) with p, q the per-category proportions.
 */
export function hellingerCategorical(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): number {
  assertSameLength(referenceCounts, currentCounts);
  const p = normalise(referenceCounts);
  const q = normalise(currentCounts);
  const acc = new CompensatedSum();
  for (let i = 0; i < p.length; i++) {
    acc.add(Math.sqrt(p[i] * q[i]));
  }
  const bc = Math.min(Math.max(acc.value(), 0), 1);
  return Math.sqrt(1 - bc);
}

/**
 * Evidently's Hellinger distance for a numerical column: Sturges bins over
 * the *distinct values* of the union, density histograms of both samples
 * (count / (n · bin width)), then √(1 − clip(Σ √(h₁·h₂)·w, 0, 1)) with w the
 * mean bin width.
 */
export function hellingerNumerical(
  reference: Float64Array,
  current: Float64Array,
  integerDtype = false,
): number {
  const keys = new Set<number>();
  for (const values of [reference, current]) {
    for (let i = 0; i < values.length; i++) {
      keys.add(values[i]);
    }
  }
  const unique = Float64Array.from(keys);
  const edges = sturgesBinEdges([unique], integerDtype);
  const density = (values: Float64Array) => {
    const counts = histogramCounts(values, edges);
    const total = sum(counts);
    const out = new Float64Array(counts.length);
    for (let i = 0; i < counts.length; i++) {
      out[i] = counts[i] / (edges[i + 1] - edges[i]) / total;
    }
    return out;
  };
  const h1 = density(reference);
  const h2 = density(current);
  const binWidth = (edges[edges.length - 1] - edges[0]) / (edges.length - 1);
  const acc = new CompensatedSum();
  for (let i = 0; i < h1.length; i++) {
    acc.add(Math.sqrt(h1[i] * h2[i]) * binWidth);
  }
  const bc = Math.min(Math.max(acc.value(), 0), 1);
  return Math.sqrt(1 - bc);
}
