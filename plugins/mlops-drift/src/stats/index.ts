/**
 * The statistics behind the drift methods, as pure functions. Each mirrors
 * the scipy (or Evidently) function named in its documentation.
 */
export {
  binCategorical,
  binNumerical,
  fillZeroes,
  histogramCounts,
  linspace,
  sturgesBinEdges,
} from './binning';
export type { BinnedProportions } from './binning';
export { chiSquare, chiSquareEvidently, zTestEvidently } from './categorical';
export { decilePsi, quantileSorted } from './decilePsi';
export type { DecilePsiResult } from './decilePsi';
export type { ChiSquareResult, ZTestResult } from './categorical';
export {
  hellingerCategorical,
  hellingerNumerical,
  jensenShannonDistance,
  klDivergence,
  populationStabilityIndex,
  relEntr,
} from './divergence';
export {
  kolmogorovCdfDurbinMatrix,
  kolmogorovCdfPelzGood,
  kolmogorovCdfPomeranz,
  kolmogorovTwoSided,
  kstwoSf,
  kstwoSfBranch,
} from './kolmogorov';
export type { KolmogorovBranch } from './kolmogorov';
export {
  ks2Samp,
  ks2SampSorted,
  ksExactEqualSizes,
  ksExactUnequalSizes,
  ksStatisticSorted,
  KS_MAX_EXACT_N,
} from './ks';
export type { KsPValueMethod, KsResult } from './ks';
export { smirnovSf } from './smirnov';
export { sortFloat64 } from './sort';
export { chi2Sf, ndtr } from './special';
export { populationStd } from './summation';
export {
  normedWassersteinSorted,
  wasserstein1,
  wasserstein1Sorted,
  WASSERSTEIN_STD_FLOOR,
} from './wasserstein';
export type { NormedWassersteinResult } from './wasserstein';
