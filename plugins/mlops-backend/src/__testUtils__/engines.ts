import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The repository root: the first parent with scripts/engines.sh. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'scripts', 'engines.sh'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        'Cannot find scripts/engines.sh above the mlops-backend package; the engine tests need the Synth repository',
      );
    }
    dir = parent;
  }
  return dir;
}

const started = new Map<string, Promise<string>>();

/**
 * Starts a real local engine through `scripts/engines.sh start <name>` (which
 * creates its pinned venv on first use and leaves an engine that already
 * answers alone), serialised across test workers with flock. Resolves to the
 * engine's URL; rejects with the script's own one-line reason, so an engine
 * that cannot start fails the test instead of skipping it.
 */
export function startEngine(name: 'ray' | 'moto' | 'mlflow'): Promise<string> {
  let promise = started.get(name);
  if (!promise) {
    promise = (async () => {
      const root = repoRoot();
      try {
        const { stdout } = await exec(
          'flock',
          [
            // -o: the engine started in the background must not inherit (and
            // so hold for as long as it runs) the lock.
            '-o',
            `/tmp/synth-engines-${name}.lock`,
            'bash',
            path.join(root, 'scripts', 'engines.sh'),
            'start',
            name,
          ],
          { cwd: root, timeout: 15 * 60_000, maxBuffer: 10 * 1024 * 1024 },
        );
        const line = stdout
          .split('\n')
          .find(l => l.startsWith(name) && l.includes('http'));
        const url = line?.trim().split(/\s+/)[1];
        if (!url) {
          throw new Error(`no URL in the output: ${stdout}`);
        }
        return url;
      } catch (error) {
        const err = error as { stderr?: string; message?: string };
        const reason = (err.stderr || err.message || String(error))
          .split('\n')
          .filter(Boolean)
          .slice(-3)
          .join(' | ');
        throw new Error(
          `Could not start the ${name} engine for the tests: ${reason}`,
        );
      }
    })();
    started.set(name, promise);
  }
  return promise;
}
