import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import { ReactNode } from 'react';
import {
  MlCatalogQuery,
  MlCatalogSortKey,
  MlCatalogView,
} from '../../lib/catalogQuery';
import { SpecRefLink } from '../common';
import { ModelHealthLabel, ModelHealthState } from '../ModelHealth';
import { usePageHealth } from './usePageHealth';

/** What a cell may use besides its entity. */
type RowContext = {
  /** The row's health, asked for once for the whole page. */
  healthOf: (entity: Entity) => ModelHealthState;
};

type Column = {
  title: string;
  sortKey?: MlCatalogSortKey;
  render: (entity: Entity, context: RowContext) => ReactNode;
};

function specString(entity: Entity, field: string): string | undefined {
  const value = entity.spec?.[field];
  return typeof value === 'string' ? value : undefined;
}

const nameColumn: Column = {
  title: 'Name',
  sortKey: 'name',
  render: entity => <EntityRefLink entityRef={entity} />,
};
const ownerColumn: Column = {
  title: 'Owner',
  sortKey: 'owner',
  render: entity => (
    <SpecRefLink entity={entity} field="owner" defaultKind="group" />
  ),
};
const typeColumn: Column = {
  title: 'Type',
  sortKey: 'type',
  render: entity => specString(entity, 'type'),
};
const lifecycleColumn: Column = {
  title: 'Lifecycle',
  sortKey: 'lifecycle',
  render: entity => specString(entity, 'lifecycle'),
};

const COLUMNS: Record<MlCatalogView, Column[]> = {
  models: [
    nameColumn,
    ownerColumn,
    typeColumn,
    { title: 'Framework', render: entity => specString(entity, 'framework') },
    lifecycleColumn,
    {
      title: 'Health',
      render: (entity, { healthOf }) => (
        <ModelHealthLabel {...healthOf(entity)} />
      ),
    },
  ],
  datasets: [
    nameColumn,
    ownerColumn,
    typeColumn,
    { title: 'Format', render: entity => specString(entity, 'format') },
    lifecycleColumn,
  ],
  features: [
    nameColumn,
    ownerColumn,
    typeColumn,
    {
      title: 'Source',
      render: entity => (
        <SpecRefLink entity={entity} field="source" defaultKind="dataset" />
      ),
    },
    lifecycleColumn,
  ],
};

/** One page of models, datasets or features; the headers of sortable columns sort on the server. */
export const MlEntityTable = (props: {
  query: MlCatalogQuery;
  entities: Entity[];
  label: string;
  onSort: (sort: MlCatalogSortKey) => void;
}) => {
  const { query, entities, label, onSort } = props;
  const columns = COLUMNS[query.view];
  const context: RowContext = {
    healthOf: usePageHealth(entities, query.view === 'models'),
  };
  return (
    <Table size="small" aria-label={label}>
      <TableHead>
        <TableRow>
          {columns.map(column => (
            <TableCell
              key={column.title}
              sortDirection={
                column.sortKey === query.sort ? query.order : false
              }
            >
              {column.sortKey ? (
                <TableSortLabel
                  active={column.sortKey === query.sort}
                  direction={
                    column.sortKey === query.sort ? query.order : 'asc'
                  }
                  onClick={() => onSort(column.sortKey!)}
                >
                  {column.title}
                </TableSortLabel>
              ) : (
                column.title
              )}
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {entities.map(entity => (
          <TableRow key={stringifyEntityRef(entity)}>
            {columns.map(column => (
              <TableCell key={column.title}>
                {column.render(entity, context)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
