import {
  RELATION_API_PROVIDED_BY,
  RELATION_PROVIDES_API,
} from '@backstage/catalog-model';
import {
  DATASET_KIND,
  FEATURE_KIND,
  MLMODEL_KIND,
  RELATION_MLOPS_DERIVED_FROM,
  RELATION_MLOPS_FEATURE_USED_BY,
  RELATION_MLOPS_SOURCE_OF,
  RELATION_MLOPS_TRAINED_ON,
  RELATION_MLOPS_TRAINING_DATASET_OF,
  RELATION_MLOPS_USES_FEATURE,
} from '@synth/plugin-mlops-common';

/**
 * The relation pairs of the ML lineage. The first relation of each pair points
 * downstream (dataset → feature → model → API), so that merged edges in the
 * graph follow the flow of data.
 */
export const LINEAGE_RELATION_PAIRS: [string, string][] = [
  [RELATION_MLOPS_SOURCE_OF, RELATION_MLOPS_DERIVED_FROM],
  [RELATION_MLOPS_TRAINING_DATASET_OF, RELATION_MLOPS_TRAINED_ON],
  [RELATION_MLOPS_FEATURE_USED_BY, RELATION_MLOPS_USES_FEATURE],
  [RELATION_PROVIDES_API, RELATION_API_PROVIDED_BY],
];

/** Every relation the lineage graph follows, in both directions. */
export const LINEAGE_RELATIONS: string[] = LINEAGE_RELATION_PAIRS.flat();

/** The kinds shown in the lineage graph. */
export const LINEAGE_KINDS: string[] = [
  DATASET_KIND,
  FEATURE_KIND,
  MLMODEL_KIND,
  'API',
];

/**
 * What each downstream relation means, as the label of a lineage edge: read
 * "dataset derives feature", "dataset trains model", "feature feeds model",
 * "model serves API".
 */
export const LINEAGE_EDGE_LABELS: Record<string, string> = {
  [RELATION_MLOPS_SOURCE_OF]: 'derives',
  [RELATION_MLOPS_TRAINING_DATASET_OF]: 'trains',
  [RELATION_MLOPS_FEATURE_USED_BY]: 'feeds',
  [RELATION_PROVIDES_API]: 'serves',
};

/** The label of an edge whose (merged) relations are `relations`. */
export function lineageEdgeLabel(relations: string[]): string {
  const labels = relations
    .map(relation => LINEAGE_EDGE_LABELS[relation])
    .filter((label): label is string => Boolean(label));
  return [...new Set(labels)].join(', ') || relations.join(' / ');
}
