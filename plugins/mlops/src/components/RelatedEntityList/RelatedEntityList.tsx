import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import LinkOffIcon from '@material-ui/icons/LinkOff';
import { parseEntityRef } from '@backstage/catalog-model';
import { useResolvedEntities } from './useResolvedEntities';

const useStyles = makeStyles(theme => ({
  unresolved: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    color: theme.palette.text.secondary,
  },
}));

/**
 * A reference to an entity the catalog does not have: shown as text with a
 * note, never as a link that leads nowhere.
 */
export const UnresolvedEntityRef = (props: { entityRef: string }) => {
  const classes = useStyles();
  return (
    <span
      className={classes.unresolved}
      title="The catalog has no entity with this reference"
    >
      <LinkOffIcon fontSize="small" aria-hidden />
      <span>{humanizeEntityRef(parseEntityRef(props.entityRef))}</span>
      <Typography component="span" variant="caption">
        (not in catalog)
      </Typography>
    </span>
  );
};

/**
 * The entities behind a list of references: a link for each one the catalog
 * has, an unresolved reference for each one it has not.
 */
export const RelatedEntityList = (props: {
  entityRefs: string[];
  emptyMessage: string;
  /** Accessible name of the list. */
  label: string;
}) => {
  const { entityRefs, emptyMessage, label } = props;
  const { loading, error, value } = useResolvedEntities(entityRefs);

  if (entityRefs.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {emptyMessage}
      </Typography>
    );
  }
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return (
      <Typography variant="body2" color="error">
        Could not look up {label.toLocaleLowerCase('en-US')}: {error.message}
      </Typography>
    );
  }
  return (
    <List dense disablePadding aria-label={label}>
      {(value ?? []).map(({ entityRef, entity }) => (
        <ListItem key={entityRef} disableGutters>
          <ListItemText
            primary={
              entity ? (
                <EntityRefLink entityRef={entity} />
              ) : (
                <UnresolvedEntityRef entityRef={entityRef} />
              )
            }
            secondary={
              entity?.metadata.description ? (
                // The theme cuts list text to one line; the title keeps the rest reachable.
                <Box component="span" title={entity.metadata.description}>
                  {entity.metadata.description}
                </Box>
              ) : undefined
            }
          />
        </ListItem>
      ))}
    </List>
  );
};
