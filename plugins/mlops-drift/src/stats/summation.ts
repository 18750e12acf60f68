/**
 * Neumaier's compensated summation. numpy sums with pairwise summation, whose
 * error grows like O(log n)·eps; a plain left-to-right loop grows like
 * O(n)·eps, which on 2M-term sums (1M vs 1M Wasserstein) could approach the
 * 1e-9 tolerance. The compensated sum is accurate to a few ulps regardless of
 * n, so it stays within rounding distance of numpy's result.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    if (!Number.isFinite(value) || !Number.isFinite(this.sum)) {
      // inf/NaN propagate as in a plain sum; compensation is meaningless
      this.sum += value;
      return;
    }
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) {
      this.compensation += this.sum - t + value;
    } else {
      this.compensation += value - t + this.sum;
    }
    this.sum = t;
  }

  value(): number {
    if (!Number.isFinite(this.sum)) {
      return this.sum;
    }
    return this.sum + this.compensation;
  }
}

/** Compensated sum of an array-like of numbers. */
export function sum(values: ArrayLike<number>): number {
  const acc = new CompensatedSum();
  for (let i = 0; i < values.length; i++) {
    acc.add(values[i]);
  }
  return acc.value();
}

/** Population standard deviation (numpy `np.std`, ddof = 0), two-pass. */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) {
    return NaN;
  }
  const mean = sum(values) / n;
  const acc = new CompensatedSum();
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    acc.add(d * d);
  }
  return Math.sqrt(acc.value() / n);
}
