/** Tolerances of the drift engine against scipy. */
export const STATISTIC_TOLERANCE = 1e-9;
export const P_VALUE_RELATIVE_TOLERANCE = 1e-6;
/** The smallest positive normal double (2^-1022). */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Asserts |actual − expected| ≤ tol·max(1, |expected|) for statistics, or a
 * relative error ≤ tol for p-values (`relative`), with infinities and NaN
 * required to match exactly.
 */
export function expectClose(
  actual: number,
  expected: number,
  tolerance: number,
  options: { relative?: boolean; label?: string } = {},
): void {
  const label = options.label ? `${options.label}: ` : '';
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
    if (
      !Object.is(actual, expected) &&
      !(Number.isNaN(actual) && Number.isNaN(expected))
    ) {
      throw new Error(`${label}expected ${expected}, got ${actual}`);
    }
    return;
  }
  const scale = options.relative
    ? Math.abs(expected)
    : Math.max(1, Math.abs(expected));
  const error = Math.abs(actual - expected);
  if (options.relative && expected === 0) {
    if (actual !== 0) {
      throw new Error(`${label}expected exactly 0, got ${actual}`);
    }
    return;
  }
  // Below the smallest normal double, numbers keep fewer than 53 significant
  // bits (scipy returned 6.0207e-320 for a KS p-value whose exact value
  // underflows here to 0), so no relative tolerance applies: both must be
  // subnormal or zero.
  if (options.relative && Math.abs(expected) < MIN_NORMAL) {
    if (!(Math.abs(actual) < MIN_NORMAL)) {
      throw new Error(
        `${label}expected ${expected} (below the smallest normal double), got ${actual}`,
      );
    }
    return;
  }
  if (!(error <= tolerance * scale)) {
    throw new Error(
      `${label}expected ${expected}, got ${actual} (error ${error / scale} ${
        options.relative ? 'relative' : 'scaled'
      } > ${tolerance})`,
    );
  }
}

/** A statistic within 1e-9 (absolute, or relative above 1). */
export function expectStatistic(
  actual: number,
  expected: number,
  label?: string,
) {
  expectClose(actual, expected, STATISTIC_TOLERANCE, { label });
}

/** A p-value within 1e-6 relative. */
export function expectPValue(actual: number, expected: number, label?: string) {
  expectClose(actual, expected, P_VALUE_RELATIVE_TOLERANCE, {
    relative: true,
    label,
  });
}
