import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import InputAdornment from '@material-ui/core/InputAdornment';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import SearchIcon from '@material-ui/icons/Search';
import { useEffect, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import {
  FILTER_LABELS,
  ML_CATALOG_VIEWS,
  MlCatalogFilterKey,
  MlCatalogQuery,
} from '../../lib/catalogQuery';
import { FacetOption, useFacets } from './useFacets';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  search: { minWidth: 240 },
  filter: { minWidth: 160 },
}));

const ALL = '';

/** The text search, debounced so that typing does not send a request per key. */
const SearchField = (props: {
  value: string;
  onChange: (value: string) => void;
}) => {
  const classes = useStyles();
  const { value, onChange } = props;
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useDebounce(
    () => {
      if (text.trim() !== value) {
        onChange(text.trim());
      }
    },
    300,
    [text],
  );
  return (
    <TextField
      className={classes.search}
      id="mlops-search"
      label="Search"
      placeholder="Name or title"
      value={text}
      onChange={event => setText(event.target.value)}
      InputProps={{
        startAdornment: (
          <InputAdornment position="start">
            <SearchIcon fontSize="small" />
          </InputAdornment>
        ),
      }}
    />
  );
};

const FacetFilter = (props: {
  filterKey: MlCatalogFilterKey;
  value: string | undefined;
  options: FacetOption[] | undefined;
  loading: boolean;
  onChange: (value: string | undefined) => void;
}) => {
  const classes = useStyles();
  const { filterKey, value, options, loading, onChange } = props;
  const label = FILTER_LABELS[filterKey];
  // The chosen value stays selectable even when the facets have not loaded
  // or no longer list it.
  const choices = [...(options ?? [])];
  if (value && !choices.some(option => option.value === value)) {
    choices.unshift({ value, count: 0 });
  }
  return (
    <TextField
      select
      className={classes.filter}
      id={`mlops-filter-${filterKey}`}
      label={label}
      value={value ?? ALL}
      onChange={event =>
        onChange(event.target.value === ALL ? undefined : event.target.value)
      }
      helperText={loading ? 'Loading options…' : undefined}
    >
      <MenuItem value={ALL}>All</MenuItem>
      {choices.map(option => (
        <MenuItem key={option.value} value={option.value}>
          {option.count > 0
            ? `${option.value} (${option.count})`
            : option.value}
        </MenuItem>
      ))}
    </TextField>
  );
};

/** Search, the filters of the current view and a way to clear them. */
export const MlCatalogFilters = (props: {
  query: MlCatalogQuery;
  onChange: (update: (current: MlCatalogQuery) => MlCatalogQuery) => void;
}) => {
  const classes = useStyles();
  const { query, onChange } = props;
  const facets = useFacets(query.view);
  const filterKeys = ML_CATALOG_VIEWS[query.view].filters;
  const hasFilters =
    query.search !== '' || filterKeys.some(key => query.filters[key]);

  return (
    <>
      <Box className={classes.root} role="group" aria-label="Filters">
        <SearchField
          value={query.search}
          onChange={search => onChange(current => ({ ...current, search }))}
        />
        {filterKeys.map(key => (
          <FacetFilter
            key={key}
            filterKey={key}
            value={query.filters[key]}
            options={facets.value?.[key]}
            loading={facets.loading}
            onChange={value =>
              onChange(current => ({
                ...current,
                filters: { ...current.filters, [key]: value },
              }))
            }
          />
        ))}
        <Button
          disabled={!hasFilters}
          onClick={() =>
            onChange(current => ({ ...current, search: '', filters: {} }))
          }
        >
          Clear filters
        </Button>
      </Box>
      {facets.error && (
        <Typography variant="body2" color="error" role="alert">
          Filter options could not be loaded: {facets.error.message}
        </Typography>
      )}
    </>
  );
};
