import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import InputAdornment from '@material-ui/core/InputAdornment';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
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
import { useFacetOptions } from './useFacetOptions';

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
  view: MlCatalogQuery['view'];
  filterKey: MlCatalogFilterKey;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) => {
  const classes = useStyles();
  const { view, filterKey, value, onChange } = props;
  const [opened, setOpened] = useState(false);
  const options = useFacetOptions(view, filterKey, opened);
  const label = FILTER_LABELS[filterKey];
  // The chosen value stays selectable even when the options have not loaded
  // or no longer list it.
  const choices = [...(options.value ?? [])];
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
      SelectProps={{ onOpen: () => setOpened(true) }}
    >
      <MenuItem value={ALL}>All</MenuItem>
      {choices.map(option => (
        <MenuItem key={option.value} value={option.value}>
          {option.count > 0
            ? `${option.value} (${option.count})`
            : option.value}
        </MenuItem>
      ))}
      {options.loading && (
        <MenuItem disabled value="" aria-busy="true">
          Loading options…
        </MenuItem>
      )}
      {options.error && (
        <MenuItem disabled value="">
          Options could not be loaded: {options.error.message}
        </MenuItem>
      )}
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
  const filterKeys = ML_CATALOG_VIEWS[query.view].filters;
  const hasFilters =
    query.search !== '' || filterKeys.some(key => query.filters[key]);

  return (
    <Box className={classes.root} role="group" aria-label="Filters">
      <SearchField
        value={query.search}
        onChange={search => onChange(current => ({ ...current, search }))}
      />
      {filterKeys.map(key => (
        <FacetFilter
          key={key}
          view={query.view}
          filterKey={key}
          value={query.filters[key]}
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
  );
};
