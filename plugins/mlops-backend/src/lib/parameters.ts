import { InputError } from '@backstage/errors';
import {
  MLModelEntityV1alpha1,
  MLModelTraining,
  MLModelTrainingParameter,
  TrainingParameterValue,
} from '@synth/plugin-mlops-common';

/**
 * The training config of an MLModel, or an InputError naming the missing or
 * invalid field. The catalog validates entities already; this guards against
 * entities the validator never saw (other processors, older versions).
 */
export function requireTraining(
  entity: MLModelEntityV1alpha1,
  modelRef: string,
): MLModelTraining {
  const training = entity.spec?.training as
    | Partial<MLModelTraining>
    | undefined;
  if (!training || typeof training !== 'object') {
    throw new InputError(
      `${modelRef} has no training config: spec.training is missing`,
    );
  }
  for (const field of ['entrypoint', 'workingDir'] as const) {
    const value = training[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InputError(
        `${modelRef} has no training config: spec.training.${field} is missing`,
      );
    }
  }
  if (training.engine !== undefined && training.engine !== 'ray') {
    throw new InputError(
      `${modelRef}: spec.training.engine '${String(
        training.engine,
      )}' is not supported (only 'ray')`,
    );
  }
  return training as MLModelTraining;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function checkValue(
  parameter: MLModelTrainingParameter,
  value: unknown,
): string | undefined {
  const name = `'${parameter.name}'`;
  switch (parameter.type) {
    case 'string':
      if (typeof value !== 'string') {
        return `${name} must be a string, got ${describe(value)}`;
      }
      break;
    case 'boolean':
      if (typeof value !== 'boolean') {
        return `${name} must be a boolean, got ${describe(value)}`;
      }
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return `${name} must be an integer, got ${describe(value)}`;
      }
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `${name} must be a number, got ${describe(value)}`;
      }
      break;
    default:
      return `${name} has an unsupported declared type '${String(
        (parameter as { type: unknown }).type,
      )}'`;
  }
  if (parameter.enum && !parameter.enum.includes(value as string | number)) {
    return `${name} must be one of ${parameter.enum
      .map(describe)
      .join(', ')}, got ${describe(value)}`;
  }
  if (typeof value === 'number') {
    if (parameter.minimum !== undefined && value < parameter.minimum) {
      return `${name} must be at least ${parameter.minimum}, got ${value}`;
    }
    if (parameter.maximum !== undefined && value > parameter.maximum) {
      return `${name} must be at most ${parameter.maximum}, got ${value}`;
    }
  }
  return undefined;
}

/**
 * Validates request parameters against the parameters the MLModel declares
 * and fills in declared defaults. Every problem is reported in one
 * InputError: undeclared names, wrong types, values outside enum or bounds.
 */
export function resolveParameters(
  declared: MLModelTrainingParameter[] | undefined,
  given: Record<string, unknown>,
): Record<string, TrainingParameterValue> {
  const byName = new Map((declared ?? []).map(p => [p.name, p]));
  const problems: string[] = [];
  const undeclared = Object.keys(given).filter(name => !byName.has(name));
  if (undeclared.length > 0) {
    problems.push(
      `undeclared parameter${undeclared.length > 1 ? 's' : ''} ${undeclared
        .map(n => `'${n}'`)
        .join(', ')} (declared: ${
        byName.size ? [...byName.keys()].join(', ') : 'none'
      })`,
    );
  }
  const resolved: Record<string, TrainingParameterValue> = {};
  for (const parameter of byName.values()) {
    const value = Object.prototype.hasOwnProperty.call(given, parameter.name)
      ? given[parameter.name]
      : parameter.default;
    if (value === undefined) {
      continue;
    }
    const problem = checkValue(parameter, value);
    if (problem) {
      problems.push(problem);
    } else {
      resolved[parameter.name] = value as TrainingParameterValue;
    }
  }
  if (problems.length > 0) {
    throw new InputError(`Invalid training parameters: ${problems.join('; ')}`);
  }
  return resolved;
}

/** Parameters as `--name value` arguments, in declaration order. */
export function parameterArgs(
  parameters: Record<string, TrainingParameterValue>,
): string[] {
  return Object.entries(parameters).flatMap(([name, value]) => [
    `--${name}`,
    String(value),
  ]);
}
