import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ENGINE_START_BUDGET_MS,
  execFileAsync,
  failureReason,
  freePort,
  lockFile,
  remaining,
  repoRoot,
} from './repo';

/**
 * A Feast feature repository with a registry REST server over it, for one
 * test file.
 *
 * @public
 */
export type TestFeastRegistry = {
  /** The REST API root, e.g. `http://127.0.0.1:38123/api/v1`. */
  url: string;
  /** The feature repository (feature_store.yaml, features.py, data/). */
  repoDir: string;
  /** Writes features.py and runs `feast apply`; objects no longer defined are removed. */
  apply(featuresPy: string): Promise<void>;
  stop(): Promise<void>;
};

async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
  what: string,
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs,
      maxBuffer: 20 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    throw new Error(`${what} failed: ${failureReason(error)}`);
  }
}

/**
 * The project's Feast venv (`ensure_venv feast`), plus a PYTHONPATH overlay
 * with the gRPC packages when the venv lacks them. Serialised with flock.
 */
async function prepareFeast(
  root: string,
  deadline: number,
): Promise<{ bin: string; pythonPath?: string }> {
  const waitSeconds = () => String(Math.floor(remaining(deadline) / 1000));
  await run(
    'flock',
    [
      '-w',
      waitSeconds(),
      lockFile(root, 'feast'),
      'bash',
      '-c',
      'source scripts/lib.sh && ensure_venv feast',
    ],
    { cwd: root, timeoutMs: remaining(deadline) },
    'Creating the Feast venv (scripts/lib.sh ensure_venv feast)',
  );
  const bin = path.join(root, '.venvs', 'feast', 'bin');
  const hasGrpc = await execFileAsync(path.join(bin, 'python'), [
    '-c',
    'import grpc, grpc_reflection, grpc_health',
  ]).then(
    () => true,
    () => false,
  );
  if (hasGrpc) {
    return { bin };
  }
  // Feast's grpcio extra, pinned in requirements-feast-rest.txt of this package.
  const requirements = path.join(
    root,
    'plugins',
    'mlops-node',
    'requirements-feast-rest.txt',
  );
  const overlay = path.join(root, '.venvs', 'feast-grpcio');
  const stamp = path.join(overlay, '.synth-stamp');
  const want = createHash('sha256')
    .update(fs.readFileSync(requirements))
    .digest('hex');
  const current = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : '';
  if (current !== want) {
    await run(
      'flock',
      [
        '-w',
        waitSeconds(),
        lockFile(root, 'feast'),
        'bash',
        '-c',
        'rm -rf "$1" && "$2/pip" install --quiet --disable-pip-version-check --no-deps --target "$1" -r "$3" && printf %s "$4" > "$1/.synth-stamp"',
        'overlay',
        overlay,
        bin,
        requirements,
        want,
      ],
      { cwd: root, timeoutMs: remaining(deadline) },
      `Installing ${path.relative(
        root,
        requirements,
      )} for 'feast ui' into .venvs/feast-grpcio`,
    );
  }
  return { bin, pythonPath: overlay };
}

/**
 * Creates a Feast 0.67 feature repository in a temporary directory
 * (`feature_store.yaml` with a file registry, a SQLite online store and the
 * file offline store; parquet files under `data/`), runs `feast apply` on the
 * given `features.py`, and serves the registry over REST with `feast ui` on
 * a free loopback port, all from the project's pinned `.venvs/feast`.
 *
 * `tables` maps a parquet file name under `data/` to its columns; columns
 * named in `timestampColumns` are converted to timestamps.
 *
 * Rejects with the failing step and its output when Feast cannot apply or
 * serve, so the test fails instead of skipping.
 *
 * @public
 */
export async function startFeastRegistry(options: {
  project: string;
  featuresPy: string;
  tables: Record<string, Record<string, Array<string | number | boolean>>>;
  timestampColumns?: string[];
}): Promise<TestFeastRegistry> {
  const root = repoRoot();
  const deadline = Date.now() + ENGINE_START_BUDGET_MS;
  const { bin, pythonPath } = await prepareFeast(root, deadline);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FEAST_USAGE: 'False',
    PYTHONDONTWRITEBYTECODE: '1',
    ...(pythonPath ? { PYTHONPATH: pythonPath } : {}),
  };
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-feast-'));
  fs.mkdirSync(path.join(repoDir, 'data'));
  fs.writeFileSync(
    path.join(repoDir, 'feature_store.yaml'),
    [
      `project: ${options.project}`,
      'provider: local',
      'registry:',
      '  registry_type: file',
      '  path: data/registry.db',
      '  cache_ttl_seconds: 0',
      'online_store:',
      '  type: sqlite',
      '  path: data/online_store.db',
      'offline_store:',
      '  type: file',
      'entity_key_serialization_version: 3',
      '',
    ].join('\n'),
  );
  await run(
    path.join(bin, 'python'),
    [
      '-c',
      [
        'import json, sys, pandas as pd',
        'spec = json.loads(sys.argv[1]); ts = set(json.loads(sys.argv[2]))',
        'for name, columns in spec.items():',
        '    df = pd.DataFrame(columns)',
        '    for c in ts & set(df.columns): df[c] = pd.to_datetime(df[c], utc=True)',
        "    df.to_parquet('data/' + name)",
      ].join('\n'),
      JSON.stringify(options.tables),
      JSON.stringify(options.timestampColumns ?? []),
    ],
    { cwd: repoDir, env, timeoutMs: remaining(deadline) },
    'Writing the parquet files of the Feast test repository',
  );

  const apply = async (featuresPy: string, timeoutMs = 5 * 60_000) => {
    fs.writeFileSync(path.join(repoDir, 'features.py'), featuresPy);
    await run(
      path.join(bin, 'feast'),
      ['apply'],
      { cwd: repoDir, env, timeoutMs },
      `feast apply in ${repoDir}`,
    );
  };

  let stopped = false;
  const cleanup = () => fs.rmSync(repoDir, { recursive: true, force: true });
  try {
    await apply(options.featuresPy, remaining(deadline));
    if (Date.now() > deadline) {
      throw new Error(
        `Preparing the Feast test repository took longer than ${
          ENGINE_START_BUDGET_MS / 1000
        } s; not starting its server`,
      );
    }
  } catch (error) {
    cleanup();
    throw error;
  }

  const port = await freePort();
  const logFile = path.join(repoDir, 'feast-ui.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    path.join(bin, 'feast'),
    ['ui', '--host', '127.0.0.1', '--port', String(port)],
    { cwd: repoDir, env, detached: true, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = `exited with ${signal ?? `code ${code}`}`;
  });

  const stopServer = async () => {
    if (exit || child.pid === undefined) {
      return;
    }
    const done = new Promise(resolve => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const killTimer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await done;
    clearTimeout(killTimer);
  };

  const logTail = () =>
    fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(-4)
      .join(' | ');
  const serveDeadline = Math.min(deadline, Date.now() + 180_000);
  for (;;) {
    const healthy = await fetch(`http://127.0.0.1:${port}/health`)
      .then(r => r.ok)
      .catch(() => false);
    if (healthy) {
      break;
    }
    if (exit || Date.now() > serveDeadline) {
      const reason = exit ?? 'did not answer /health in time';
      const tail = logTail();
      await stopServer();
      cleanup();
      throw new Error(
        `Could not start the Feast registry REST server for the tests ('feast ui' on port ${port} ${reason}): ${tail}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    repoDir,
    apply: (featuresPy: string) => apply(featuresPy),
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      await stopServer();
      cleanup();
    },
  };
}
