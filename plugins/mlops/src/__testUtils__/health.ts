import { ModelHealth } from '@synth/plugin-mlops-common';

/** A health answer of the mlops backend with no runs, deployments or drift report. */
export function modelHealth(
  status: ModelHealth['status'],
  reasons: string[] = [],
  modelRef = 'mlmodel:default/churn-classifier',
): ModelHealth {
  return {
    modelRef,
    status,
    reasons,
    lastRun: null,
    deployments: [],
    drift: null,
  };
}
