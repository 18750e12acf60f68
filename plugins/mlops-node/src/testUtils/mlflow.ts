import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ENGINE_START_BUDGET_MS,
  execFileAsync,
  failureReason,
  freePort,
  lockFile,
  repoRoot,
} from './repo';

/**
 * A real MLflow tracking and registry server for one test file.
 *
 * @public
 */
export type TestMlflowServer = {
  /** e.g. `http://127.0.0.1:38123` */
  url: string;
  stop(): Promise<void>;
};

/**
 * Starts a real MLflow 3.17 server (`scripts/engines.sh start mlflow`, from
 * the project's pinned `.venvs/mlflow`) on a free loopback port with its own
 * SQLite store in a temporary directory, so tests see only what they seed.
 * Rejects with the script's own reason when MLflow cannot start, so the test
 * fails instead of skipping.
 *
 * @public
 */
export async function startMlflowServer(): Promise<TestMlflowServer> {
  const root = repoRoot();
  const port = await freePort();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-mlflow-'));
  const env = {
    ...process.env,
    SYNTH_MLFLOW_PORT: String(port),
    SYNTH_ENGINE_TIMEOUT: '180',
  };
  const script = path.join(root, 'scripts', 'engines.sh');
  const options = (timeout: number) => ({
    cwd: root,
    env,
    timeout,
    maxBuffer: 10 * 1024 * 1024,
  });
  const args = ['mlflow', '--state-dir', stateDir];
  const run = (action: 'start' | 'stop') =>
    action === 'start'
      ? execFileAsync(
          'flock',
          // Serialises the creation of the shared venv with other test runs.
          // -o: the server started in the background must not inherit (and so
          // hold) the lock for as long as it runs.
          [
            '-o',
            '-w',
            String((ENGINE_START_BUDGET_MS - 300_000) / 1000),
            lockFile(root, 'mlflow'),
            'bash',
            script,
            action,
            ...args,
          ],
          options(ENGINE_START_BUDGET_MS - 60_000),
        )
      : execFileAsync('bash', [script, action, ...args], options(60_000));
  try {
    await run('start');
  } catch (error) {
    await run('stop').catch(() => undefined);
    throw new Error(
      `Could not start MLflow for the tests (scripts/engines.sh start mlflow on port ${port}): ${failureReason(
        error,
      )}`,
    );
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      try {
        await run('stop');
      } finally {
        fs.rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}

type Json = Record<string, unknown>;

/**
 * Writes test data into a real MLflow server through its REST API.
 *
 * @public
 */
export class MlflowSeeder {
  constructor(private readonly baseUrl: string) {}

  private async call<T = Json>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    route: string,
    body?: Json,
  ): Promise<T> {
    const response = await fetch(`${this.baseUrl}/api/2.0/mlflow/${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `MLflow ${method} ${route} answered ${response.status}: ${text}`,
      );
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  async createExperiment(name: string): Promise<string> {
    const body = await this.call<{ experiment_id: string }>(
      'POST',
      'experiments/create',
      { name },
    );
    return body.experiment_id;
  }

  /** Creates a finished run with params and metric histories; returns its id. */
  async createRun(options: {
    experimentId: string;
    runName?: string;
    startTime: number;
    endTime?: number;
    status?: 'FINISHED' | 'FAILED' | 'KILLED' | 'RUNNING';
    params?: Record<string, string>;
    /** Values per metric key, logged at steps 0, 1, 2, … */
    metrics?: Record<string, number[]>;
  }): Promise<string> {
    const created = await this.call<{ run: { info: { run_id: string } } }>(
      'POST',
      'runs/create',
      {
        experiment_id: options.experimentId,
        run_name: options.runName,
        start_time: options.startTime,
      },
    );
    const runId = created.run.info.run_id;
    const metrics = Object.entries(options.metrics ?? {}).flatMap(
      ([key, values]) =>
        values.map((value, step) => ({
          key,
          value,
          step,
          timestamp: options.startTime + step * 1000,
        })),
    );
    for (let i = 0; i < Math.max(metrics.length, 1); i += 1000) {
      await this.call('POST', 'runs/log-batch', {
        run_id: runId,
        metrics: metrics.slice(i, i + 1000),
        params:
          i === 0
            ? Object.entries(options.params ?? {}).map(([key, value]) => ({
                key,
                value,
              }))
            : [],
      });
    }
    const status = options.status ?? 'FINISHED';
    if (status !== 'RUNNING') {
      await this.call('POST', 'runs/update', {
        run_id: runId,
        status,
        end_time: options.endTime ?? options.startTime + 60_000,
      });
    }
    return runId;
  }

  async createRegisteredModel(
    name: string,
    options: { description?: string; tags?: Record<string, string> } = {},
  ): Promise<void> {
    await this.call('POST', 'registered-models/create', {
      name,
      description: options.description,
      tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({
        key,
        value,
      })),
    });
  }

  /** Creates a model version from a run; returns the version (a string). */
  async createModelVersion(name: string, runId?: string): Promise<string> {
    const body = await this.call<{ model_version: { version: string } }>(
      'POST',
      'model-versions/create',
      {
        name,
        source: runId
          ? `runs:/${runId}/model`
          : `s3://synth-test-models/${name}`,
        run_id: runId,
      },
    );
    return body.model_version.version;
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', 'registered-models/alias', {
      name,
      alias,
      version,
    });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', 'registered-models/alias', { name, alias });
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'registered-models/set-tag', { name, key, value });
  }

  async deleteModelTag(name: string, key: string): Promise<void> {
    await this.call('DELETE', 'registered-models/delete-tag', { name, key });
  }

  async updateModelDescription(
    name: string,
    description: string,
  ): Promise<void> {
    await this.call('PATCH', 'registered-models/update', { name, description });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.call('DELETE', 'registered-models/delete', { name });
  }
}
