import { CategoryValue } from './types';

function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) {
      if (ca.done && cb.done) {
        return 0;
      }
      return ca.done ? -1 : 1;
    }
    const pa = ca.value.codePointAt(0) ?? 0;
    const pb = cb.value.codePointAt(0) ?? 0;
    if (pa !== pb) {
      return pa - pb;
    }
  }
}

/**
 * Python's `sorted()` order for category values: numbers (and booleans, as
 * 0/1) numerically, strings by code point. Python refuses to compare
 * strings with numbers; here numbers and booleans sort before strings.
 */
export function compareCategoryValues(
  a: CategoryValue,
  b: CategoryValue,
): number {
  const aIsString = typeof a === 'string';
  const bIsString = typeof b === 'string';
  if (aIsString && bIsString) {
    return compareCodePoints(a as string, b as string);
  }
  if (aIsString !== bIsString) {
    return aIsString ? 1 : -1;
  }
  const na = Number(a);
  const nb = Number(b);
  if (na !== nb) {
    return na < nb ? -1 : 1;
  }
  // true vs 1: equal in Python; keep a deterministic order
  if (typeof a === typeof b) {
    return 0;
  }
  return typeof a === 'boolean' ? -1 : 1;
}

/** A category that Evidently drops along with NaN: NaN and ±inf numbers. */
export function isDroppedCategory(value: CategoryValue): boolean {
  return typeof value === 'number' && !Number.isFinite(value);
}
