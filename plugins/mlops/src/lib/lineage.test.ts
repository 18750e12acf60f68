import { LINEAGE_RELATION_PAIRS, lineageEdgeLabel } from './lineage';

describe('lineage', () => {
  it('points every relation pair downstream, from data to endpoint', () => {
    expect(LINEAGE_RELATION_PAIRS.map(([downstream]) => downstream)).toEqual([
      'mlopsSourceOf',
      'mlopsTrainingDatasetOf',
      'mlopsFeatureUsedBy',
      'providesApi',
    ]);
  });

  it('labels merged edges by what flows along them', () => {
    expect(lineageEdgeLabel(['mlopsSourceOf', 'mlopsDerivedFrom'])).toBe(
      'derives',
    );
    expect(
      lineageEdgeLabel([
        'mlopsTrainingDatasetOf',
        'mlopsTrainedOn',
        'mlopsSourceOf',
      ]),
    ).toBe('trains, derives');
    expect(lineageEdgeLabel(['dependsOn'])).toBe('dependsOn');
  });
});
