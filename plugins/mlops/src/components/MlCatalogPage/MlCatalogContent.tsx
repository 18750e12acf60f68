import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ChevronLeftIcon from '@material-ui/icons/ChevronLeft';
import ChevronRightIcon from '@material-ui/icons/ChevronRight';
import { useEffect, useRef, useState } from 'react';
import {
  DEFAULT_PAGE_SIZE,
  ML_CATALOG_VIEWS,
  ML_CATALOG_VIEW_KEYS,
  MlCatalogView,
  PAGE_SIZES,
} from '../../lib/catalogQuery';
import { MlCatalogFilters } from './MlCatalogFilters';
import { MlEntityTable } from './MlEntityTable';
import { useEntityPages } from './useEntityPages';
import { useMlCatalogQuery } from './useMlCatalogQuery';

/**
 * Name of the performance mark set when the first page of the table has
 * rendered; `bench:ui` reads it.
 */
export const TABLE_RENDERED_MARK = 'mlops:catalog-table-rendered';

const useStyles = makeStyles(theme => ({
  tabs: { marginBottom: theme.spacing(2) },
  tableContainer: { overflowX: 'auto' },
  footer: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(2),
    padding: theme.spacing(1, 2),
  },
  pageSize: { minWidth: 80 },
}));

const numberFormat = new Intl.NumberFormat('en-US');

/**
 * The ML catalog: models, datasets and features in one paginated, filterable,
 * sortable table per kind. Pagination, filtering, search and sorting all
 * happen in the catalog backend, so the page stays fast with tens of
 * thousands of entities.
 */
export const MlCatalogContent = () => {
  const classes = useStyles();
  const [query, setQuery] = useMlCatalogQuery();
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);
  const pages = useEntityPages(query, pageSize);
  const view = ML_CATALOG_VIEWS[query.view];
  const items = pages.response?.items;

  const marked = useRef(false);
  useEffect(() => {
    if (items && !marked.current) {
      marked.current = true;
      performance.mark?.(TABLE_RENDERED_MARK);
    }
  }, [items]);

  let body;
  if (pages.error) {
    body = (
      <Box p={2}>
        <ResponseErrorPanel
          title={`Could not load ${view.noun}`}
          error={pages.error}
        />
        <Button variant="outlined" onClick={pages.retry}>
          Try again
        </Button>
      </Box>
    );
  } else if (!items) {
    body = <Progress />;
  } else if (items.length === 0) {
    const filtered =
      query.search !== '' || Object.values(query.filters).some(Boolean);
    body = (
      <EmptyState
        missing={filtered ? 'data' : 'content'}
        title={
          filtered
            ? `No ${view.noun} match these filters`
            : `No ${view.noun} in the catalog yet`
        }
        description={
          filtered
            ? 'Change the search or the filters, or clear them.'
            : `Register ${view.kind} entities in the software catalog to see them here.`
        }
        action={
          filtered ? (
            <Button
              variant="contained"
              color="primary"
              onClick={() =>
                setQuery(current => ({ ...current, search: '', filters: {} }))
              }
            >
              Clear filters
            </Button>
          ) : undefined
        }
      />
    );
  } else {
    // The count arrives after the rows; a listing of one page needs none.
    const onlyPage =
      pages.offset === 0 &&
      !pages.response?.pageInfo.nextCursor &&
      !pages.response?.pageInfo.prevCursor;
    const total = pages.totalItems ?? (onlyPage ? items.length : undefined);
    body = (
      <>
        {pages.loading && (
          <LinearProgress aria-label={`Loading ${view.noun}`} />
        )}
        <div className={classes.tableContainer}>
          <MlEntityTable
            query={query}
            entities={items}
            label={view.label}
            onSort={sort =>
              setQuery(current => ({
                ...current,
                sort,
                order:
                  current.sort === sort && current.order === 'asc'
                    ? 'desc'
                    : 'asc',
              }))
            }
          />
        </div>
        <div className={classes.footer}>
          <TextField
            select
            id="mlops-catalog-rows"
            className={classes.pageSize}
            label="Rows"
            value={pageSize}
            onChange={event => setPageSize(Number(event.target.value))}
          >
            {PAGE_SIZES.map(size => (
              <MenuItem key={size} value={size}>
                {size}
              </MenuItem>
            ))}
          </TextField>
          <Typography variant="body2">
            {numberFormat.format(pages.offset + 1)}–
            {numberFormat.format(pages.offset + items.length)} of{' '}
            {total === undefined ? '…' : numberFormat.format(total)}
          </Typography>
          <IconButton
            aria-label="Previous page"
            disabled={!pages.previous}
            onClick={pages.previous}
          >
            <ChevronLeftIcon />
          </IconButton>
          <IconButton
            aria-label="Next page"
            disabled={!pages.next}
            onClick={pages.next}
          >
            <ChevronRightIcon />
          </IconButton>
        </div>
      </>
    );
  }

  return (
    <>
      <Tabs
        className={classes.tabs}
        value={query.view}
        onChange={(_, value: MlCatalogView) =>
          setQuery(current => ({ ...current, view: value, filters: {} }))
        }
        indicatorColor="primary"
        textColor="primary"
      >
        {ML_CATALOG_VIEW_KEYS.map(key => (
          <Tab key={key} value={key} label={ML_CATALOG_VIEWS[key].label} />
        ))}
      </Tabs>
      <MlCatalogFilters query={query} onChange={setQuery} />
      <Paper>{body}</Paper>
    </>
  );
};
