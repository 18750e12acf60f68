import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';

/** Label–value pairs in a responsive grid, like the catalog's About card. */
export const FieldGrid = (props: {
  fields: Array<{ label: string; value?: ReactNode }>;
}) => (
  <Grid container spacing={2} component="dl" style={{ margin: 0 }}>
    {props.fields.map(field => (
      <Grid item xs={6} md={4} key={field.label}>
        <Typography
          variant="overline"
          color="textSecondary"
          component="dt"
          display="block"
        >
          {field.label}
        </Typography>
        <Typography variant="body2" component="dd" style={{ margin: 0 }}>
          {field.value ?? '—'}
        </Typography>
      </Grid>
    ))}
  </Grid>
);
