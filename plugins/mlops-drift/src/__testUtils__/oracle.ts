import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Repository root (plugins/mlops-drift/src/testUtils → four levels up). */
export const REPO_ROOT = resolve(__dirname, '../../../..');
/** The project venv's interpreter (requirements/drift.txt). */
export const ORACLE_PYTHON = resolve(REPO_ROOT, '.venvs/drift/bin/python');
/** The oracle script. */
export const ORACLE_SCRIPT = resolve(__dirname, '../../scripts/oracle.py');

/** Whether the scipy/Evidently venv exists. */
export function oracleAvailable(): boolean {
  return existsSync(ORACLE_PYTHON);
}

/** Output of scripts/oracle.py. */
export interface OracleOutput {
  versions: Record<string, string>;
  results: Array<Record<string, unknown> & { id: string }>;
}

/** Runs the oracle on concrete cases (arrays, not specs). */
export function runOracle(cases: Array<Record<string, unknown>>): OracleOutput {
  const result = spawnSync(ORACLE_PYTHON, [ORACLE_SCRIPT], {
    input: JSON.stringify({ cases }),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) {
    throw new Error(
      `oracle failed (status ${result.status}): ${
        result.stderr || result.error
      }`,
    );
  }
  return JSON.parse(result.stdout) as OracleOutput;
}
