import {
  materialize,
  normalGenerator,
  toFloat64,
} from '../__testUtils__/samples';
import { sortFloat64 } from './sort';

function expectSameOrder(actual: Float64Array, expected: Float64Array) {
  expect(actual).toHaveLength(expected.length);
  const firstDifference = actual.findIndex(
    (v, i) => !Object.is(v, expected[i]),
  );
  expect(firstDifference).toBe(-1);
}

describe('sortFloat64', () => {
  it('sorts like Float64Array.prototype.sort, including ±0, ±inf and subnormals', () => {
    const next = normalGenerator(7);
    const values = Float64Array.from({ length: 50000 }, () => next() * 1e3);
    values.set(
      [
        -0,
        0,
        Infinity,
        -Infinity,
        5e-324,
        -5e-324,
        Number.MAX_VALUE,
        -Number.MAX_VALUE,
      ],
      100,
    );
    const sorted = sortFloat64(values.slice());
    expectSameOrder(sorted, values.slice().sort());
    // indexOf finds the first zero, which must be −0, followed by +0
    const zero = sorted.indexOf(0);
    expect([
      Object.is(sorted[zero], -0),
      Object.is(sorted[zero + 1], 0),
    ]).toEqual([true, true]);
  });

  it('sorts in place and returns the same array', () => {
    const values = toFloat64(
      materialize({ kind: 'uniform', n: 10000, seed: 3, lo: -5, hi: 5 }),
    );
    expect(sortFloat64(values)).toBe(values);
    expect(values.every((v, i) => i === 0 || values[i - 1] <= v)).toBe(true);
  });

  it('handles many ties, a single repeated value and a view into a larger buffer', () => {
    const ties = toFloat64(
      materialize({ kind: 'integers', n: 100000, seed: 5, lo: -10, hi: 10 }),
    );
    expectSameOrder(sortFloat64(ties.slice()), ties.slice().sort());
    const same = new Float64Array(8192).fill(3.25);
    expectSameOrder(sortFloat64(same.slice()), same);
    const buffer = new Float64Array(20000).map((_, i) => (i * 7919) % 9973);
    const view = buffer.subarray(1000, 15000);
    const expected = view.slice().sort();
    sortFloat64(view);
    expectSameOrder(view, expected);
    expect(buffer[999]).toBe((999 * 7919) % 9973);
    expect(buffer[15000]).toBe((15000 * 7919) % 9973);
  });
});
