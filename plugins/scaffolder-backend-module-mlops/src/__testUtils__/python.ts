import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './scaffolder';

/**
 * Creates (or reuses) the pinned virtualenv `.venvs/<name>` from
 * requirements/<name>.txt with the repository's own scripts/lib.sh, and
 * returns its bin directory. Fails with the installer's reason.
 */
export function ensureVenv(name: string): string {
  const result = spawnSync(
    'bash',
    ['-c', `source scripts/lib.sh && ensure_venv ${name}`],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 15 * 60_000 },
  );
  if (result.status !== 0) {
    throw new Error(
      `Could not create the '${name}' virtualenv with scripts/lib.sh ensure_venv (exit ${
        result.status ?? result.signal
      }): ${(result.stderr || result.stdout || String(result.error)).trim()}`,
    );
  }
  return path.join(REPO_ROOT, '.venvs', name, 'bin');
}

export type CommandResult = { status: number | null; output: string };

/** Runs a command and returns its exit status and combined output. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): CommandResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 5 * 60_000,
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${
      result.error ? String(result.error) : ''
    }`,
  };
}

/**
 * Runs pytest in a generated project and checks that every collected test
 * passed: a non-zero exit, a failure, an error or a skip fails with the
 * output.
 */
export function expectPytestPasses(
  python: string,
  cwd: string,
  env?: NodeJS.ProcessEnv,
  timeoutMs?: number,
): number {
  const result = run(
    python,
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rA'],
    {
      cwd,
      env: { PYTHONDONTWRITEBYTECODE: '1', ...env },
      timeoutMs,
    },
  );
  const summary =
    result.output
      .split('\n')
      .filter(line => /\d+ (passed|failed|error)/.test(line))
      .pop() ?? '';
  const passed = Number(summary.match(/(\d+) passed/)?.[1] ?? 0);
  if (
    result.status !== 0 ||
    passed === 0 ||
    /failed|error|skipped|xfail/.test(summary)
  ) {
    throw new Error(
      `pytest in ${cwd} did not pass cleanly (exit ${result.status}):\n${result.output}`,
    );
  }
  return passed;
}

/** Runs a linter and fails with its output unless it exits 0. */
export function expectCommandPasses(
  command: string,
  args: string[],
  cwd: string,
): string {
  const result = run(command, args, { cwd });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(command)} ${args.join(' ')} failed in ${cwd} (exit ${
        result.status
      }):\n${result.output}`,
    );
  }
  return result.output;
}

/** The local Ray head of scripts/engines.sh, started if it is not running. */
export function startRay(): NodeJS.ProcessEnv {
  const result = run('bash', ['scripts/engines.sh', 'start', 'ray'], {
    cwd: REPO_ROOT,
    timeoutMs: 5 * 60_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `Could not start the local Ray head with scripts/engines.sh start ray: ${result.output}`,
    );
  }
  return {
    RAY_ADDRESS: `127.0.0.1:${process.env.SYNTH_RAY_GCS_PORT ?? '6380'}`,
    // As scripts/engines.sh starts the head: every socket on 127.0.0.1.
    RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: '0',
    RAY_USAGE_STATS_ENABLED: '0',
  };
}
