import {
  MLModelTrainingParameter,
  TrainingParameterValue,
} from '@synth/plugin-mlops-common';

/** What the user typed into the training form, one string (or boolean) per parameter. */
export type TrainingFormValues = Record<string, string | boolean>;

/** The form's initial values: each parameter's declared default. */
export function initialTrainingFormValues(
  parameters: MLModelTrainingParameter[],
): TrainingFormValues {
  const values: TrainingFormValues = {};
  for (const p of parameters) {
    if (p.type === 'boolean') {
      values[p.name] = p.default === undefined ? false : Boolean(p.default);
    } else {
      values[p.name] = p.default === undefined ? '' : String(p.default);
    }
  }
  return values;
}

/**
 * Checks the form against the declared parameters and converts it to the
 * request's typed values. Empty optional fields are left out, so the
 * backend applies the declared default.
 */
export function parseTrainingForm(
  parameters: MLModelTrainingParameter[],
  values: TrainingFormValues,
):
  | { ok: true; parameters: Record<string, TrainingParameterValue> }
  | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const parsed: Record<string, TrainingParameterValue> = {};
  for (const p of parameters) {
    const raw = values[p.name];
    if (p.type === 'boolean') {
      parsed[p.name] = Boolean(raw);
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (p.default === undefined) {
        errors[p.name] = 'Required';
      }
      continue;
    }
    if (p.type === 'string') {
      if (p.enum && !p.enum.map(String).includes(text)) {
        errors[p.name] = `One of ${p.enum.join(', ')}`;
        continue;
      }
      parsed[p.name] = text;
      continue;
    }
    const n = Number(text);
    if (!Number.isFinite(n)) {
      errors[p.name] = 'Must be a number';
      continue;
    }
    if (p.type === 'integer' && !Number.isInteger(n)) {
      errors[p.name] = 'Must be a whole number';
      continue;
    }
    if (p.minimum !== undefined && n < p.minimum) {
      errors[p.name] = `At least ${p.minimum}`;
      continue;
    }
    if (p.maximum !== undefined && n > p.maximum) {
      errors[p.name] = `At most ${p.maximum}`;
      continue;
    }
    if (p.enum && !p.enum.map(Number).includes(n)) {
      errors[p.name] = `One of ${p.enum.join(', ')}`;
      continue;
    }
    parsed[p.name] = n;
  }
  return Object.keys(errors).length > 0
    ? { ok: false, errors }
    : { ok: true, parameters: parsed };
}
