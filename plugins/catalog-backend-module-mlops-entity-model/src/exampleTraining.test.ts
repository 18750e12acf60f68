import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Entity } from '@backstage/catalog-model';
import {
  isMLModelEntity,
  MLModelEntityV1alpha1,
} from '@synth/plugin-mlops-common';
import { parseAllDocuments } from 'yaml';

/**
 * Every example model's training job runs as the mlops backend's local
 * executor runs it (services/TrainingService/LocalExecutor.ts): a copy of the
 * working directory as the current directory, no shell, the entrypoint's
 * words followed by the declared parameters' defaults as `--name value`, the
 * project's Ray venv on PATH (app-config.yaml mlops.executors.local.path),
 * MLOPS_RUN_ID, MLOPS_MODEL_REF and MLOPS_OUTPUT_DIR set. Each job must exit
 * 0, save its model in MLOPS_OUTPUT_DIR and print the result line the
 * backend reads into the model version (workspace/result.ts).
 */

jest.setTimeout(15 * 60_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const CATALOG_DIR = path.join(REPO_ROOT, 'catalog');
const MODELS_DIR = path.join(CATALOG_DIR, 'models');
const RESULT_MARKER = 'mlops-result:';

function exampleModels(): Array<{
  file: string;
  model: MLModelEntityV1alpha1;
}> {
  return fs
    .readdirSync(MODELS_DIR)
    .filter(name => name.endsWith('.yaml'))
    .flatMap(name => {
      const file = path.join(MODELS_DIR, name);
      return parseAllDocuments(fs.readFileSync(file, 'utf8'))
        .map(document => document.toJS() as Entity)
        .filter(isMLModelEntity)
        .map(model => ({ file, model }));
    });
}

/** The venv bin directory, created with the repository's scripts/lib.sh if missing. */
function rayVenvBin(): string {
  const result = spawnSync(
    'bash',
    ['-c', 'source scripts/lib.sh && ensure_venv ray'],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 15 * 60_000 },
  );
  if (result.status !== 0) {
    throw new Error(
      `scripts/lib.sh ensure_venv ray failed: ${
        result.stderr || result.stdout
      }`,
    );
  }
  return path.join(REPO_ROOT, '.venvs', 'ray', 'bin');
}

/** The last `mlops-result: {json}` line, as the backend reads it. */
function resultLine(output: string): any {
  const lines = output
    .split('\n')
    .filter(line => line.startsWith(RESULT_MARKER));
  if (lines.length === 0) {
    return undefined;
  }
  return JSON.parse(lines[lines.length - 1].slice(RESULT_MARKER.length));
}

function run(
  argv: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', data => (output += data));
    child.stderr.on('data', data => (output += data));
    child.on('error', reject);
    child.on('close', code => resolve({ code, output }));
  });
}

/** Starts the local Ray head with the repository's scripts/engines.sh (a running one is reused). */
function startRay(): string {
  const result = spawnSync(
    'flock',
    [
      // -o: the engine started in the background must not hold the lock.
      '-o',
      '/tmp/synth-engines-ray.lock',
      'bash',
      path.join(REPO_ROOT, 'scripts', 'engines.sh'),
      'start',
      'ray',
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 15 * 60_000 },
  );
  const url = result.stdout
    ?.split('\n')
    .find(line => line.startsWith('ray') && line.includes('http'))
    ?.trim()
    .split(/\s+/)[1];
  if (result.status !== 0 || !url) {
    throw new Error(
      `scripts/engines.sh start ray failed: ${result.stderr || result.stdout}`,
    );
  }
  return url;
}

/** A copy of the model's working directory, as the executors take it. */
function copyWorkingDir(file: string, workingDir: string, to: string) {
  fs.cpSync(path.resolve(path.dirname(file), workingDir), to, {
    recursive: true,
    filter: source => !source.includes('__pycache__'),
  });
}

/** The entrypoint's words followed by the declared defaults as `--name value`. */
function argvOf(model: MLModelEntityV1alpha1): string[] {
  const training = model.spec.training!;
  return [
    ...training.entrypoint.split(/\s+/),
    ...(training.parameters ?? []).flatMap(p =>
      p.default === undefined ? [] : [`--${p.name}`, String(p.default)],
    ),
  ];
}

/** Checks the result line: numbers only, and the model card's metric names among them. */
function expectMetrics(
  model: MLModelEntityV1alpha1,
  metrics: Record<string, unknown>,
) {
  expect(Object.keys(metrics).length).toBeGreaterThan(0);
  for (const value of Object.values(metrics)) {
    expect(typeof value === 'number' && Number.isFinite(value)).toBe(true);
  }
  for (const metric of model.spec.modelCard?.metrics ?? []) {
    expect(Object.keys(metrics)).toContain(metric.name);
  }
}

const models = exampleModels();

describe('the example models train', () => {
  let venvBin: string;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'example-training-'));

  beforeAll(() => {
    venvBin = rayVenvBin();
  });

  afterAll(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('has a training config for every example model, with a working directory inside catalog/models', () => {
    expect(models.length).toBeGreaterThanOrEqual(8);
    for (const { file, model } of models) {
      const training = model.spec.training!;
      expect(training).toBeDefined();
      const workingDir = path.resolve(path.dirname(file), training.workingDir);
      expect(workingDir.startsWith(`${MODELS_DIR}${path.sep}`)).toBe(true);
      expect(fs.statSync(workingDir).isDirectory()).toBe(true);
      // The local executor runs the entrypoint without a shell.
      expect(training.entrypoint).not.toMatch(/["'`$|&;<>*\\]/);
    }
  });

  it('trains on copies of the catalog sample data that match the Dataset files', () => {
    const copies: Record<string, string> = {
      'churn-training-snapshots.csv': 'churn-reference.csv',
      'card-transactions-labeled.csv': 'fraud-reference.csv',
    };
    for (const [copy, original] of Object.entries(copies)) {
      expect(
        fs.readFileSync(
          path.join(MODELS_DIR, 'training', 'data', copy),
          'utf8',
        ),
      ).toBe(fs.readFileSync(path.join(CATALOG_DIR, 'data', original), 'utf8'));
    }
  });

  it.each(models.map(({ file, model }) => [model.metadata.name, file, model]))(
    '%s runs with its declared defaults and reports a model and metrics',
    async (name, file, model) => {
      const training = (model as MLModelEntityV1alpha1).spec.training!;
      const workspace = fs.mkdtempSync(path.join(scratch, `${name}-`));
      const workDir = path.join(workspace, 'work');
      const outputDir = path.join(workspace, 'output');
      const tmpDir = path.join(workspace, 'tmp');
      copyWorkingDir(file as string, training.workingDir, workDir);
      fs.mkdirSync(outputDir);
      fs.mkdirSync(tmpDir);

      const argv = argvOf(model as MLModelEntityV1alpha1);
      const { code, output } = await run(argv, {
        cwd: workDir,
        env: {
          LANG: 'C.UTF-8',
          PYTHONUNBUFFERED: '1',
          PYTHONDONTWRITEBYTECODE: '1',
          ...training.runtimeEnv?.env_vars,
          PATH: `${venvBin}:/usr/local/bin:/usr/bin:/bin`,
          HOME: workspace,
          TMPDIR: tmpDir,
          MLOPS_RUN_ID: `test-${name}`,
          MLOPS_MODEL_REF: `mlmodel:default/${name}`,
          MLOPS_OUTPUT_DIR: outputDir,
        },
      });
      expect({ code, output: code === 0 ? '' : output }).toEqual({
        code: 0,
        output: '',
      });

      const result = resultLine(output);
      expect(result).toEqual({
        artifactUri: pathToFileURL(outputDir).toString(),
        metrics: expect.any(Object),
      });
      const metrics = result.metrics as Record<string, unknown>;
      expectMetrics(model as MLModelEntityV1alpha1, metrics);
      expect(fs.existsSync(path.join(outputDir, 'model.joblib'))).toBe(true);
      const saved = JSON.parse(
        fs.readFileSync(path.join(outputDir, 'metrics.json'), 'utf8'),
      );
      expect(saved.metrics).toEqual(metrics);
      // The job wrote nothing outside its workspace copy and output directory.
      expect(fs.existsSync(path.join(MODELS_DIR, 'training', 'model'))).toBe(
        false,
      );
    },
  );
});

describe('the example models train on Ray', () => {
  let rayUrl: string;
  let venvBin: string;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'example-ray-'));

  beforeAll(() => {
    venvBin = rayVenvBin();
    rayUrl = startRay();
  });

  afterAll(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it.each(models.map(({ file, model }) => [model.metadata.name, file, model]))(
    '%s runs as a Ray job with its runtime env and reports its metrics',
    async (name, file, model) => {
      const entity = model as MLModelEntityV1alpha1;
      const training = entity.spec.training!;
      const workDir = path.join(scratch, name as string);
      copyWorkingDir(file as string, training.workingDir, workDir);
      const runId = `ray-test-${name}-${Date.now()}`;
      // As the RayExecutor submits it: working_dir, pip and env_vars of the
      // entity's runtimeEnv plus the run's id and model.
      const runtimeEnv = {
        ...(training.runtimeEnv?.pip ? { pip: training.runtimeEnv.pip } : {}),
        env_vars: {
          ...training.runtimeEnv?.env_vars,
          MLOPS_RUN_ID: runId,
          MLOPS_MODEL_REF: `mlmodel:default/${name}`,
        },
      };
      const submit = () =>
        run(
          [
            path.join(venvBin, 'ray'),
            'job',
            'submit',
            '--address',
            rayUrl,
            '--working-dir',
            workDir,
            '--runtime-env-json',
            JSON.stringify(runtimeEnv),
            '--',
            ...argvOf(entity),
          ],
          {
            cwd: scratch,
            env: {
              LANG: 'C.UTF-8',
              PATH: `${venvBin}:/usr/local/bin:/usr/bin:/bin`,
              HOME: process.env.HOME ?? scratch,
            },
          },
        );
      let { code, output } = await submit();
      // The first job with a new pip list waits for Ray to build the
      // virtualenv, which can outlast the local engine's job start timeout
      // (RAY_JOB_START_TIMEOUT_SECONDS=30 under ./synth test); Ray keeps
      // building it, and the next job with the same list reuses it.
      if (code !== 0 && output.includes('failed to start within')) {
        ({ code, output } = await submit());
      }
      expect({ code, output: code === 0 ? '' : output }).toEqual({
        code: 0,
        output: '',
      });
      const result = resultLine(output);
      expect(result?.artifactUri).toMatch(
        new RegExp(`^file:///.*/model/${runId}$`),
      );
      expectMetrics(entity, result.metrics);
    },
  );
});
