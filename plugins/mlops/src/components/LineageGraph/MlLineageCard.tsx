import { DependencyGraphTypes } from '@backstage/core-components';
import {
  EntityCatalogGraphCard,
  EntityEdge,
} from '@backstage/plugin-catalog-graph';
import { makeStyles } from '@material-ui/core/styles';
import {
  LINEAGE_KINDS,
  LINEAGE_RELATIONS,
  LINEAGE_RELATION_PAIRS,
  lineageEdgeLabel,
} from '../../lib/lineage';

const useStyles = makeStyles(theme => ({
  label: {
    fill: theme.palette.text.secondary,
    fontSize: theme.typography.caption.fontSize,
  },
}));

/** Edge labels that read as data flow ("trains", "feeds") instead of relation names. */
const LineageEdgeLabel = (
  props: DependencyGraphTypes.RenderLabelProps<EntityEdge>,
) => {
  const classes = useStyles();
  return (
    <text className={classes.label} textAnchor="middle">
      {lineageEdgeLabel(props.edge.relations)}
    </text>
  );
};

/** Options of the lineage graph card. */
export type MlLineageCardProps = {
  /** Card title; "Lineage" by default. */
  title?: string;
  /** How many relation hops from the entity to follow; 2 by default. */
  maxDepth?: number;
  /** Height of the graph in pixels. */
  height?: number;
};

/**
 * The ML lineage of an entity as a catalog graph: datasets, the features
 * derived from them, the models trained on them or using the features, and
 * the APIs that serve the models, left to right. Each node links to its
 * entity page.
 */
export const MlLineageCard = (props: MlLineageCardProps) => (
  <EntityCatalogGraphCard
    title={props.title ?? 'Lineage'}
    maxDepth={props.maxDepth ?? 2}
    height={props.height}
    kinds={LINEAGE_KINDS}
    relations={LINEAGE_RELATIONS}
    relationPairs={LINEAGE_RELATION_PAIRS}
    direction="LR"
    unidirectional={false}
    mergeRelations
    renderLabel={LineageEdgeLabel}
  />
);
