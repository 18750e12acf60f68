import { smirnovSf } from './smirnov';

/*
 * The two-sided one-sample Kolmogorov–Smirnov distribution of Dₙ, computed
 * with the algorithm selection of Simard & L'Ecuyer (2011) as scipy
 * implements it (`scipy.stats._ksstats._kolmogn`, used by
 * `scipy.stats.kstwo`). ks_2samp's asymptotic p-value is
 * kstwo.sf(D, round(m·n/(m+n))), so every branch below is reachable from a
 * two-sample test:
 *
 *   n·x ≤ 1               Ruben–Gambino closed form
 *   n·x ≥ n − 1           Ruben–Gambino closed form
 *   x ≥ 0.5               2·smirnov(n, x) (exact)
 *   n ≤ 140               Durbin matrix (nx² ≤ 0.754693), Pomeranz (nx² ≤ 4), else 2·smirnov
 *   n > 140, SF           0 if nx² ≥ 370; 2·smirnov if nx² ≥ 2.2; else 1 − CDF with
 *                         CDF = 1 if nx² ≥ 18, Durbin matrix if n ≤ 100000 and n·x^1.5 ≤ 1.4,
 *                         Pelz–Good otherwise.
 */

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;

/** Stirling series coefficients B_{2j}/(2j)/(2j−1), j = 8..1 (highest first). */
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
  8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
  -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

/** Which KS distribution algorithm produced a value (for tests and reports). */
export type KolmogorovBranch =
  | 'ruben-gambino'
  | 'smirnov'
  | 'durbin-matrix'
  | 'pomeranz'
  | 'pelz-good'
  | 'limit';

function clip01(p: number): number {
  if (p < 0) {
    return 0;
  }
  return p > 1 ? 1 : p;
}

function polyval(coeffs: number[], x: number): number {
  let acc = 0;
  for (const c of coeffs) {
    acc = acc * x + c;
  }
  return acc;
}

/** log(n! / nⁿ) by Stirling's series, with n·log(n) removed up front. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  return (
    Math.log(n) / 2 - n + LOG_2PI / 2 + rn * polyval(STIRLING_COEFFS, rn / n)
  );
}

function matmul(
  a: Float64Array,
  b: Float64Array,
  m: number,
): Float64Array<ArrayBuffer> {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const rowOffset = i * m;
    for (let k = 0; k < m; k++) {
      const aik = a[rowOffset + k];
      if (aik === 0) {
        continue;
      }
      const bOffset = k * m;
      for (let j = 0; j < m; j++) {
        out[rowOffset + j] += aik * b[bOffset + j];
      }
    }
  }
  return out;
}

/**
 * Pr(Dₙ ≤ d) by Durbin's matrix algorithm in the Marsaglia–Tsang–Wang form:
 * the k-th diagonal element of (n!/nⁿ)·Hⁿ, with exponent bookkeeping to keep
 * the intermediate powers in range.
 */
export function kolmogorovCdfDurbinMatrix(n: number, d: number): number {
  if (d >= 1) {
    return 1;
  }
  const nd = n * d;
  if (nd <= 0.5) {
    return 0;
  }
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  // v[j] = (1 − h^(j+1)) / (j+1)!, w[j] = 1 / j!
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;

  let H: Float64Array<ArrayBuffer> = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) {
      H[r * m + i] = w[r - (i - 1)];
    }
  }
  for (let r = 0; r < m; r++) {
    H[r * m] = v[r];
  }
  for (let c = 0; c < m; c++) {
    H[(m - 1) * m + c] = v[m - 1 - c];
  }

  let power: Float64Array<ArrayBuffer> = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    power[i * m + i] = 1;
  }
  let remaining = n;
  let exponent = 0;
  let hExponent = 0;
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      power = matmul(power, H, m);
      exponent += hExponent;
    }
    H = matmul(H, H, m);
    hExponent *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > EP128) {
      for (let i = 0; i < H.length; i++) {
        H[i] /= EP128;
      }
      hExponent += E128;
    }
    remaining = Math.floor(remaining / 2);
  }

  let p = power[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      exponent -= E128;
    }
  }
  if (exponent !== 0) {
    p *= 2 ** exponent;
  }
  return clip01(p);
}

function pomeranzBounds(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      // i is odd
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(Dₙ ≤ x) by Pomeranz's recursion (used for n ≤ 140, 0.754693 < nx² ≤ 4). */
export function kolmogorovCdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  // (g/n)^m/m!, (2g/n)^m/m!, ((1−2g)/n)^m/m!
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m;
  }

  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    let pwrs: Float64Array;
    if (i === 1 || i === 2 * n + 1) {
      pwrs = gpower;
    } else {
      pwrs = i % 2 === 1 ? twogpower : onem2gpower;
    }
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // full convolution of V0[k1−V0s : k1−V0s+ln2] with pwrs[:ln2]
      const aStart = k1 - V0s;
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c;
        let acc = 0;
        const lo = Math.max(0, idx - (ln2 - 1));
        const hi = Math.min(idx, ln2 - 1);
        for (let a = lo; a <= hi; a++) {
          const bIndex = idx - a;
          if (aStart + a < npwrs && bIndex < npwrs) {
            acc += V0[aStart + a] * pwrs[bIndex];
          }
        }
        V1[c] = acc;
      }
      let maxV = 0;
      for (let c = 0; c < npwrs; c++) {
        if (V1[c] > maxV) {
          maxV = V1[c];
        }
      }
      if (maxV > 0 && maxV < EM128) {
        for (let c = 0; c < npwrs; c++) {
          V1[c] *= EP128;
        }
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }

  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) {
    ans *= 2 ** expnt;
  }
  return clip01(ans);
}

/**
 * Pelz–Good approximation to Pr(Dₙ ≤ x): the Li-Chien/Korolyuk expansion
 * K0 + K1/√n + K2/n + K3/n^1.5, each term transformed with Jacobi theta
 * identities into series that converge fast for small z = x√n.
 */
export function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) {
    return 0;
  }
  if (x >= 1) {
    return 1;
  }
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;

  const qlog = -PI_SQUARED / 8 / z2;
  if (qlog < MIN_LOG) {
    return 0;
  }
  let q = Math.exp(qlog);

  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;

  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qpower = q ** (8 * k);
    const coeffs = [
      1,
      k1a + k1b * m2,
      k2a + k2b * m2 + k2c * m4,
      k3a + k3b * m2 + k3c * m4 + k3d * m6,
    ];
    for (let i = 0; i < 4; i++) {
      K[i] = K[i] * qpower + coeffs[i];
    }
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) {
    K[i] = (K[i] * q * SQRT_2PI) / divisors[i];
  }

  q = Math.exp(-PI_SQUARED / 2 / z2);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qp;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K[2] += (k2extra * PI_SQUARED * SQRT_2PI) / (-36 * z3);
  K[3] += (k3extra * PI_SQUARED * SQRT_2PI) / (216 * z6);
  for (let i = 0; i < 4; i++) {
    K[i] /= Math.pow(n, i / 2);
  }
  return K[0] + K[1] + K[2] + K[3];
}

/**
 * The algorithm `_kolmogn` uses for Dₙ at x (CDF or SF), without computing
 * anything.
 */
export function kolmogorovBranch(
  n: number,
  x: number,
  cdf: boolean,
): KolmogorovBranch {
  if (x >= 1 || x <= 0) {
    return 'limit';
  }
  const t = n * x;
  if (t <= 1) {
    return t <= 0.5 ? 'limit' : 'ruben-gambino';
  }
  if (t >= n - 1) {
    return 'ruben-gambino';
  }
  if (x >= 0.5) {
    return 'smirnov';
  }
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) {
      return 'durbin-matrix';
    }
    return nxSquared <= 4 ? 'pomeranz' : 'smirnov';
  }
  if (!cdf) {
    if (nxSquared >= 370) {
      return 'limit';
    }
    if (nxSquared >= 2.2) {
      return 'smirnov';
    }
  }
  if (nxSquared >= 18) {
    return 'limit';
  }
  if (n <= 100000 && n * x ** 1.5 <= 1.4) {
    return 'durbin-matrix';
  }
  return 'pelz-good';
}

/**
 * CDF or survival function of the two-sided one-sample KS statistic Dₙ for
 * an integer n ≥ 1, with the algorithm used. Mirrors scipy's `_kolmogn`.
 */
export function kolmogorovTwoSided(
  n: number,
  x: number,
  cdf: boolean,
): { value: number; branch: KolmogorovBranch } {
  const branch = kolmogorovBranch(n, x, cdf);
  const pick = (cdfProb: number, sfProb: number) => ({
    value: clip01(cdf ? cdfProb : sfProb),
    branch,
  });
  const t = n * x;
  switch (branch) {
    case 'limit':
      if (x >= 1) {
        return pick(1, 0);
      }
      if (x <= 0 || t <= 0.5) {
        return pick(0, 1);
      }
      // nx² ≥ 18 (CDF 1) or, for the SF, nx² ≥ 370 (SF 0)
      return pick(1, 0);
    case 'ruben-gambino': {
      if (t <= 1) {
        let prob: number;
        if (n <= 140) {
          prob = 1;
          for (let i = 1; i <= n; i++) {
            prob *= i * (1 / n) * (2 * t - 1);
          }
        } else {
          prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
        }
        return pick(prob, 1 - prob);
      }
      const prob = 2 * (1 - x) ** n;
      return pick(1 - prob, prob);
    }
    case 'smirnov': {
      const prob = 2 * smirnovSf(n, x);
      return pick(1 - prob, prob);
    }
    case 'durbin-matrix': {
      const prob = kolmogorovCdfDurbinMatrix(n, x);
      return pick(prob, 1 - prob);
    }
    case 'pomeranz': {
      const prob = kolmogorovCdfPomeranz(n, x);
      return pick(prob, 1 - prob);
    }
    default: {
      const prob = kolmogorovCdfPelzGood(n, x);
      return pick(prob, 1 - prob);
    }
  }
}

/**
 * `scipy.stats.kstwo.sf(x, n)`: survival function of the two-sided KS
 * statistic for a sample of size n. Outside the support (x ≤ 1/(2n)) the
 * value is 1, at x ≥ 1 it is 0.
 */
export function kstwoSf(x: number, n: number): number {
  if (Number.isNaN(x) || !(n >= 1) || !Number.isInteger(n)) {
    return NaN;
  }
  if (x <= 0.5 / n) {
    return 1;
  }
  if (x >= 1) {
    return 0;
  }
  return kolmogorovTwoSided(n, x, false).value;
}

/** The branch `kstwoSf(x, n)` takes (exposed so tests can prove coverage). */
export function kstwoSfBranch(x: number, n: number): KolmogorovBranch {
  if (x <= 0.5 / n || x >= 1) {
    return 'limit';
  }
  return kolmogorovBranch(n, x, false);
}
