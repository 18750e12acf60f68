import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

/**
 * Upper bound of starting one engine, venv creation included. Test files
 * that start engines set a larger Jest timeout (15 minutes), so a helper
 * always finishes, and cleans up after a failure, before Jest gives up on
 * the hook and would leave a late-starting server behind.
 */
export const ENGINE_START_BUDGET_MS = 10 * 60_000;

/** Milliseconds left until the deadline, at least 1. */
export function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}

/**
 * The Synth repository root: the first directory at or above the working
 * directory (a package folder when Jest runs) with scripts/engines.sh.
 */
export function repoRoot(): string {
  let dir = process.cwd();
  while (!fs.existsSync(path.join(dir, 'scripts', 'engines.sh'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find scripts/engines.sh at or above ${process.cwd()}; the engine test helpers run inside the Synth repository`,
      );
    }
    dir = parent;
  }
  return dir;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('Could not allocate a port'));
        }
      });
    });
  });
}

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The last lines of a failed command's stderr (or message), on one line. */
export function failureReason(error: unknown, lines = 4): string {
  const err = error as { stderr?: string; stdout?: string; message?: string };
  const text =
    err.stderr?.trim() || err.stdout?.trim() || err.message || String(error);
  return text
    .split('\n')
    .map(l => l.replace(ANSI_COLOUR, '').trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ');
}

/**
 * A lock file for one engine of one checkout: test runs of the same
 * checkout serialise the creation of its venvs, other checkouts do not wait.
 */
export function lockFile(root: string, engine: string): string {
  const checkout = createHash('sha256').update(root).digest('hex').slice(0, 12);
  return `/tmp/synth-mlops-node-${engine}-${checkout}.lock`;
}
