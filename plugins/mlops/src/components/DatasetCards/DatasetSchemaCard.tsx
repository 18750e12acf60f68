import { InfoCard, Link } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  DatasetEntityV1alpha1,
  isDatasetEntity,
} from '@synth/plugin-mlops-common';
import { isSafeHref } from '../../lib/links';
import { CardSection, FieldGrid } from '../common';

const SchemaTable = (props: { entity: DatasetEntityV1alpha1 }) => {
  const { schema } = props.entity.spec;
  if (!schema || schema.columns.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No schema declared.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Schema">
      <TableHead>
        <TableRow>
          <TableCell>Column</TableCell>
          <TableCell>Type</TableCell>
          <TableCell>Description</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {schema.columns.map(column => (
          <TableRow key={column.name}>
            <TableCell component="th" scope="row">
              <code>{column.name}</code>
              {column.name === schema.target && (
                <Chip
                  size="small"
                  label="target"
                  color="secondary"
                  style={{ marginLeft: 8 }}
                />
              )}
            </TableCell>
            <TableCell>{column.type}</TableCell>
            <TableCell>{column.description ?? ''}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

/** Where a dataset lives, its format and its columns with their types. */
export const DatasetSchemaCard = () => {
  const { entity } = useEntity();
  if (!isDatasetEntity(entity)) {
    return (
      <InfoCard title="Dataset schema">
        <Typography variant="body2" color="textSecondary">
          This entity is not a Dataset.
        </Typography>
      </InfoCard>
    );
  }
  const { spec } = entity;
  return (
    <InfoCard title="Dataset schema">
      <CardSection title="Data">
        <FieldGrid
          fields={[
            { label: 'Type', value: spec.type },
            { label: 'Format', value: spec.format },
            {
              label: 'Location',
              // Locations are long paths or URLs without spaces: let them wrap anywhere.
              value: isSafeHref(spec.location) ? (
                <Link to={spec.location} style={{ wordBreak: 'break-all' }}>
                  {spec.location}
                </Link>
              ) : (
                <code style={{ wordBreak: 'break-all' }}>{spec.location}</code>
              ),
            },
          ]}
        />
      </CardSection>
      <CardSection title="Columns">
        <SchemaTable entity={entity} />
      </CardSection>
    </InfoCard>
  );
};
