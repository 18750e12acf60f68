/** Below this length the built-in TypedArray sort is as fast. */
const RADIX_MIN_LENGTH = 4096;
const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const MASK = BUCKETS - 1;
const PASSES = 6; // 6 × 11 bits ≥ 64

/** The 11-bit digit `pass` of the 64-bit key (lo, hi). */
function digitOf(lo: number, hi: number, pass: number): number {
  switch (pass) {
    case 0:
      return lo & MASK;
    case 1:
      return (lo >>> 11) & MASK;
    case 2:
      return ((lo >>> 22) | (hi << 10)) & MASK;
    case 3:
      return (hi >>> 1) & MASK;
    case 4:
      return (hi >>> 12) & MASK;
    default:
      return hi >>> 23;
  }
}

/**
 * Sorts a NaN-free Float64Array ascending, in place, and returns it.
 *
 * Large arrays use an LSD radix sort on the IEEE-754 bit patterns (flip all
 * bits of negatives, the sign bit of positives, so that unsigned order is
 * numeric order; −0 sorts just before +0, as with the built-in sort), with
 * 11-bit digits and passes skipped where every key has the same digit. On
 * 1M doubles this takes about half the time of `Float64Array.prototype.sort`,
 * and sorting is most of the cost of KS and Wasserstein on large columns.
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN_LENGTH) {
    return values.sort();
  }
  // little-endian platforms only (every platform Node supports): word 2i is
  // the low half, 2i+1 the high half of values[i]
  let source: Uint32Array = new Uint32Array(
    values.buffer,
    values.byteOffset,
    2 * n,
  );
  let target: Uint32Array = new Uint32Array(2 * n);
  const original = source;

  const counts = new Uint32Array(PASSES * BUCKETS);
  for (let i = 0; i < n; i++) {
    let lo = source[2 * i];
    let hi = source[2 * i + 1];
    if (hi & 0x80000000) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    } else {
      hi = (hi | 0x80000000) >>> 0;
    }
    source[2 * i] = lo;
    source[2 * i + 1] = hi;
    counts[lo & MASK]++;
    counts[BUCKETS + ((lo >>> 11) & MASK)]++;
    counts[2 * BUCKETS + (((lo >>> 22) | (hi << 10)) & MASK)]++;
    counts[3 * BUCKETS + ((hi >>> 1) & MASK)]++;
    counts[4 * BUCKETS + ((hi >>> 12) & MASK)]++;
    counts[5 * BUCKETS + (hi >>> 23)]++;
  }

  for (let pass = 0; pass < PASSES; pass++) {
    const offset = pass * BUCKETS;
    // a pass where every key has the same digit changes nothing
    let trivial = false;
    for (let d = 0; d < BUCKETS; d++) {
      const c = counts[offset + d];
      if (c === n) {
        trivial = true;
        break;
      }
      if (c !== 0) {
        break;
      }
    }
    if (trivial) {
      continue;
    }
    let sum = 0;
    for (let d = 0; d < BUCKETS; d++) {
      const c = counts[offset + d];
      counts[offset + d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const lo = source[2 * i];
      const hi = source[2 * i + 1];
      const position = counts[offset + digitOf(lo, hi, pass)]++;
      target[2 * position] = lo;
      target[2 * position + 1] = hi;
    }
    const swap = source;
    source = target;
    target = swap;
  }

  // undo the key transform into the caller's array
  for (let i = 0; i < n; i++) {
    const lo = source[2 * i];
    const hi = source[2 * i + 1];
    if (hi & 0x80000000) {
      original[2 * i] = lo;
      original[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    } else {
      original[2 * i] = ~lo >>> 0;
      original[2 * i + 1] = ~hi >>> 0;
    }
  }
  return values;
}
