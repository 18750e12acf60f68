/**
 * Test helpers that start the real engines of the mlops plugin from the
 * repository's pinned virtualenvs: an MLflow server with its own store and
 * a Feast feature repository served over REST. For tests inside the Synth
 * repository only (they run scripts/engines.sh and .venvs/).
 *
 * @packageDocumentation
 */

export { MlflowSeeder, startMlflowServer } from './mlflow';
export type { TestMlflowServer } from './mlflow';
export { startFeastRegistry } from './feast';
export { ENGINE_START_BUDGET_MS } from './repo';
export type { TestFeastRegistry } from './feast';
