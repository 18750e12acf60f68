/**
 * Deterministic sample generation shared by the tests, the fixture
 * generator (scripts/generate-fixtures.ts) and the benchmark. A case in a
 * fixture stores a {@link SampleSpec}, not the numbers, so fixtures stay
 * small and the tests rebuild exactly the arrays the oracle saw.
 */

/** mulberry32: a small, fast 32-bit PRNG with a 2^32 period. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal variates by Box–Muller. */
export function normalGenerator(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) {
      u = uniform();
    }
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** A JSON-encodable value: numbers JSON cannot spell are strings. */
export type JsonValue = number | string | boolean | null;

/** Description of a sample. */
export type SampleSpec =
  | { kind: 'values'; values: JsonValue[] }
  | {
      kind: 'normal';
      n: number;
      seed: number;
      mean?: number;
      sd?: number;
      /** Round to this many decimals (creates ties). */
      decimals?: number;
    }
  | { kind: 'uniform'; n: number; seed: number; lo: number; hi: number }
  | { kind: 'integers'; n: number; seed: number; lo: number; hi: number }
  | {
      kind: 'categories';
      n: number;
      seed: number;
      categories: JsonValue[];
      weights?: number[];
    }
  | { kind: 'grid'; n: number; start: number; step: number }
  /** ((modulo ? i % modulo : i) / divisor) + offset for i = 0..n−1. */
  | {
      kind: 'sequence';
      n: number;
      divisor: number;
      offset?: number;
      modulo?: number;
    }
  /** values[i % values.length] for i = 0..n−1. */
  | { kind: 'cycle'; n: number; values: JsonValue[] }
  /** `value` repeated `n` times. */
  | { kind: 'repeat'; n: number; value: JsonValue }
  | { kind: 'concat'; parts: SampleSpec[] }
  /** `base` with its last `count` values replaced by `value`. */
  | { kind: 'replaceTail'; base: SampleSpec; count: number; value: JsonValue };

function roundTo(value: number, decimals: number): number {
  // round through the decimal string so that JSON and Python see the same double
  return Number(value.toFixed(decimals));
}

/** Builds the values a spec describes. */
export function materialize(spec: SampleSpec): JsonValue[] {
  switch (spec.kind) {
    case 'values':
      return spec.values.slice();
    case 'normal': {
      const next = normalGenerator(spec.seed);
      const mean = spec.mean ?? 0;
      const sd = spec.sd ?? 1;
      return Array.from({ length: spec.n }, () => {
        const x = mean + sd * next();
        return spec.decimals === undefined ? x : roundTo(x, spec.decimals);
      });
    }
    case 'uniform': {
      const next = mulberry32(spec.seed);
      return Array.from(
        { length: spec.n },
        () => spec.lo + (spec.hi - spec.lo) * next(),
      );
    }
    case 'integers': {
      const next = mulberry32(spec.seed);
      return Array.from(
        { length: spec.n },
        () => spec.lo + Math.floor((spec.hi - spec.lo + 1) * next()),
      );
    }
    case 'categories': {
      const next = mulberry32(spec.seed);
      const weights = spec.weights ?? spec.categories.map(() => 1);
      const total = weights.reduce((a, b) => a + b, 0);
      return Array.from({ length: spec.n }, () => {
        let u = next() * total;
        for (let k = 0; k < weights.length; k++) {
          u -= weights[k];
          if (u < 0) {
            return spec.categories[k];
          }
        }
        return spec.categories[spec.categories.length - 1];
      });
    }
    case 'grid':
      return Array.from(
        { length: spec.n },
        (_, i) => spec.start + i * spec.step,
      );
    case 'sequence':
      return Array.from({ length: spec.n }, (_, i) => {
        const k = spec.modulo ? i % spec.modulo : i;
        return spec.offset === undefined
          ? k / spec.divisor
          : k / spec.divisor + spec.offset;
      });
    case 'cycle':
      return Array.from(
        { length: spec.n },
        (_, i) => spec.values[i % spec.values.length],
      );
    case 'repeat':
      return Array.from({ length: spec.n }, () => spec.value);
    case 'concat':
      return spec.parts.flatMap(materialize);
    case 'replaceTail': {
      const values = materialize(spec.base);
      for (
        let i = Math.max(0, values.length - spec.count);
        i < values.length;
        i++
      ) {
        values[i] = spec.value;
      }
      return values;
    }
    default:
      throw new Error(`unknown sample spec ${JSON.stringify(spec)}`);
  }
}

/** JSON values to doubles: null and "NaN" → NaN, "Infinity"/"-Infinity" → ±inf. */
export function toFloat64(values: JsonValue[]): Float64Array {
  return Float64Array.from(values, v => {
    if (v === null || v === 'NaN') {
      return NaN;
    }
    if (v === 'Infinity') {
      return Infinity;
    }
    if (v === '-Infinity') {
      return -Infinity;
    }
    return Number(v);
  });
}

/** A JSON-encoded oracle number back to a double. */
export function fromJsonNumber(value: JsonValue | undefined): number {
  if (value === null || value === undefined) {
    return NaN;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  return Number(value);
}
