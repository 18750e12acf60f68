import { expectPValue, expectStatistic } from './expect';

describe('the scipy tolerances', () => {
  it('accept p-values within 1e-6 relative and refuse larger errors', () => {
    expect(() => expectPValue(0.12345678, 0.12345679)).not.toThrow();
    expect(() => expectPValue(1e-200 * 1.000001, 1e-200)).not.toThrow();
    expect(() => expectPValue(1e-200 * 1.00001, 1e-200)).toThrow(/relative/);
    expect(() => expectPValue(1e-10, 0)).toThrow(/exactly 0/);
  });

  it('compare p-values below the smallest normal double as subnormal or zero', () => {
    expect(() => expectPValue(0, 6.0207e-320)).not.toThrow();
    expect(() => expectPValue(5e-324, 6.0207e-320)).not.toThrow();
    expect(() => expectPValue(1e-300, 6.0207e-320)).toThrow(
      /smallest normal double/,
    );
  });

  it('accept statistics within 1e-9, relative above 1', () => {
    expect(() => expectStatistic(0.5 + 5e-10, 0.5)).not.toThrow();
    expect(() => expectStatistic(0.5 + 5e-9, 0.5)).toThrow(/scaled/);
    expect(() => expectStatistic(1000 + 5e-7, 1000)).not.toThrow();
    expect(() => expectStatistic(Infinity, Infinity)).not.toThrow();
    expect(() => expectStatistic(NaN, 1)).toThrow();
  });
});
