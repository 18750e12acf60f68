import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { useMemo, useState } from 'react';
import { MLModelTrainingParameter } from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import {
  TrainingFormValues,
  initialTrainingFormValues,
  parseTrainingForm,
} from '../../lib/trainingForm';
import { ApiFailurePanel } from './ApiFailurePanel';

/**
 * A form generated from the parameters the MLModel declares
 * (`spec.training.parameters`): a number field with its bounds, a choice
 * for an enum, a checkbox for a boolean. Closes with the new run's id.
 */
export const TrainDialog = (props: {
  entityRef: string;
  parameters: MLModelTrainingParameter[];
  onClose: (runId?: string) => void;
}) => {
  const { entityRef, parameters, onClose } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const [values, setValues] = useState<TrainingFormValues>(() =>
    initialTrainingFormValues(parameters),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  // One key per dialog: a double click or a retry starts one run.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);

  const submit = async () => {
    const parsed = parseTrainingForm(parameters, values);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setError(undefined);
    try {
      const created = await mlopsApi.createTrainingRun(entityRef, {
        parameters: parsed.parameters,
        idempotencyKey,
      });
      onClose(created.id);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  const set = (name: string, value: string | boolean) =>
    setValues(v => ({ ...v, [name]: value }));

  return (
    <Dialog
      open
      onClose={() => !busy && onClose()}
      aria-labelledby="mlops-train-title"
      fullWidth
    >
      <DialogTitle id="mlops-train-title">Start a training run</DialogTitle>
      <DialogContent>
        {parameters.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            The model declares no training parameters.
          </Typography>
        )}
        {parameters.map(p => {
          if (p.type === 'boolean') {
            return (
              <div key={p.name}>
                <FormControlLabel
                  control={
                    <Checkbox
                      checked={Boolean(values[p.name])}
                      onChange={e => set(p.name, e.target.checked)}
                      name={p.name}
                    />
                  }
                  label={p.name}
                />
                {p.description && (
                  <FormHelperText>{p.description}</FormHelperText>
                )}
              </div>
            );
          }
          const bounds = [
            p.minimum !== undefined ? `min ${p.minimum}` : undefined,
            p.maximum !== undefined ? `max ${p.maximum}` : undefined,
          ]
            .filter(Boolean)
            .join(', ');
          const help = [p.description, bounds].filter(Boolean).join(' — ');
          return (
            <TextField
              key={p.name}
              id={`mlops-train-${p.name}`}
              label={p.name}
              value={values[p.name] as string}
              onChange={e => set(p.name, e.target.value)}
              select={Boolean(p.enum)}
              SelectProps={p.enum ? { native: true } : undefined}
              type={!p.enum && p.type !== 'string' ? 'number' : 'text'}
              inputProps={
                p.type === 'integer' || p.type === 'number'
                  ? {
                      min: p.minimum,
                      max: p.maximum,
                      step: p.type === 'integer' ? 1 : 'any',
                    }
                  : undefined
              }
              error={Boolean(errors[p.name])}
              helperText={errors[p.name] ?? (help || undefined)}
              fullWidth
              margin="normal"
            >
              {p.enum?.map(option => (
                <option key={String(option)} value={String(option)}>
                  {String(option)}
                </option>
              ))}
            </TextField>
          );
        })}
        {error && <ApiFailurePanel error={error} what="Start training" />}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => onClose()} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={busy}
        >
          {busy ? 'Starting…' : 'Start run'}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
