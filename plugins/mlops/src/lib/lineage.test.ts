import { LINEAGE_RELATION_PAIRS, lineageEdgeLabel } from './lineage';

describe('lineage', () => {
  it('points every relation pair downstream, from data to endpoint', () => {
    expect(LINEAGE_RELATION_PAIRS.map(([downstream]) => downstream)).toEqual([
      'mlops-sourceOf',
      'mlops-trainingDatasetOf',
      'mlops-featureUsedBy',
      'providesApi',
    ]);
  });

  it('labels merged edges by what flows along them', () => {
    expect(lineageEdgeLabel(['mlops-sourceOf', 'mlops-derivedFrom'])).toBe(
      'derives',
    );
    expect(
      lineageEdgeLabel([
        'mlops-trainingDatasetOf',
        'mlops-trainedOn',
        'mlops-sourceOf',
      ]),
    ).toBe('trains, derives');
    expect(lineageEdgeLabel(['dependsOn'])).toBe('dependsOn');
  });
});
