import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';

/** A titled block inside an entity card. */
export const CardSection = (props: { title: string; children: ReactNode }) => (
  <Box component="section" marginBottom={2}>
    <Typography variant="subtitle2" component="h3" gutterBottom>
      {props.title}
    </Typography>
    {props.children}
  </Box>
);

/** Free text from an entity, or a muted note when it is missing. */
export const TextOrNote = (props: { text?: string; note: string }) =>
  props.text ? (
    <Typography variant="body2" style={{ whiteSpace: 'pre-line' }}>
      {props.text}
    </Typography>
  ) : (
    <Typography variant="body2" color="textSecondary">
      {props.note}
    </Typography>
  );
