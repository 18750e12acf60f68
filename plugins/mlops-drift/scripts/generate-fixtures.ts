/*
 * Regenerates the committed oracle fixtures from scipy and Evidently:
 *
 *   src/__fixtures__/scipy-cases.json      scipy numbers and Evidently stattests
 *   src/__fixtures__/evidently-cases.json  Evidently DataDriftPreset runs
 *
 * Usage (from the repository root, after `ensure_venv drift`):
 *   yarn workspace @synth/plugin-mlops-drift run fixtures
 *
 * Cases hold sample *specs*; the tests rebuild the same arrays with the same
 * seeded generator, so jest never needs Python.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BOUNDARY_CASES,
  materializeCase,
  scipyCaseSpecs,
} from '../src/__testUtils__/cases';
import {
  materializePresetCase,
  presetCaseSpecs,
} from '../src/__testUtils__/presetCases';
import {
  ORACLE_PYTHON,
  oracleAvailable,
  runOracle,
} from '../src/__testUtils__/oracle';
import {
  MIXED_COLUMNS,
  PARQUET_DIR,
  PARQUET_FILES,
} from '../src/__testUtils__/parquetFixtures';

const FIXTURES = resolve(__dirname, '../src/__fixtures__');

function main() {
  if (!oracleAvailable()) {
    throw new Error(
      `${ORACLE_PYTHON} is missing; run 'source scripts/lib.sh && ensure_venv drift' at the repository root`,
    );
  }
  const specs = scipyCaseSpecs();
  process.stderr.write(`running ${specs.length} scipy/Evidently cases\n`);
  const scipy = runOracle(specs.map(materializeCase));
  const byId = new Map(scipy.results.map(r => [r.id, r]));

  // operator boundaries: first the score, then Evidently's verdict with the
  // threshold set to exactly that score
  const boundarySpecs = BOUNDARY_CASES.map(c => ({
    ...c,
    op: 'evidently_stattest' as const,
  }));
  const first = runOracle(boundarySpecs.map(materializeCase));
  const second = runOracle(
    boundarySpecs.map((c, i) =>
      materializeCase({ ...c, threshold: first.results[i].score as number }),
    ),
  );

  writeFileSync(
    resolve(FIXTURES, 'scipy-cases.json'),
    `${JSON.stringify(
      {
        generatedBy: 'scripts/generate-fixtures.ts with scripts/oracle.py',
        versions: scipy.versions,
        cases: specs.map(spec => {
          const { id: _id, ...expected } = byId.get(spec.id)!;
          return { spec, expected };
        }),
        boundaries: BOUNDARY_CASES.map((c, i) => ({
          spec: c,
          score: first.results[i].score,
          drifted_at_score: second.results[i].drifted,
        })),
      },
      null,
      1,
    )}\n`,
  );

  const presets = presetCaseSpecs();
  process.stderr.write(`running ${presets.length} DataDriftPreset cases\n`);
  const evidently = runOracle(presets.map(materializePresetCase));
  writeFileSync(
    resolve(FIXTURES, 'evidently-cases.json'),
    `${JSON.stringify(
      {
        generatedBy: 'scripts/generate-fixtures.ts with scripts/oracle.py',
        versions: evidently.versions,
        cases: presets.map((spec, i) => {
          const { id: _id, ...expected } = evidently.results[i];
          return { spec, expected };
        }),
      },
      null,
      1,
    )}\n`,
  );

  mkdirSync(PARQUET_DIR, { recursive: true });
  const parquet = spawnSync(
    ORACLE_PYTHON,
    [resolve(__dirname, 'write_parquet.py')],
    {
      input: JSON.stringify({
        files: PARQUET_FILES.map(f => ({
          path: resolve(PARQUET_DIR, f.name),
          compression: f.compression,
          row_group_size: f.row_group_size,
          columns: MIXED_COLUMNS,
        })),
      }),
      encoding: 'utf8',
    },
  );
  if (parquet.status !== 0) {
    throw new Error(`write_parquet.py failed: ${parquet.stderr}`);
  }
  // keep the committed JSON in the repository's Prettier style
  const prettier = spawnSync(
    process.execPath,
    [
      require.resolve('prettier/bin-prettier.js'),
      '--write',
      resolve(FIXTURES, 'scipy-cases.json'),
      resolve(FIXTURES, 'evidently-cases.json'),
    ],
    { encoding: 'utf8' },
  );
  if (prettier.status !== 0) {
    throw new Error(`prettier failed: ${prettier.stderr}`);
  }
  process.stderr.write('fixtures written\n');
}

main();
