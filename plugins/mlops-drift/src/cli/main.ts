import { InputError, isError } from '@backstage/errors';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { computeDriftReport } from '../engine/computeDriftReport';
import { DriftOptions, parseDriftOptions } from '../engine/options';
import { ColumnType, DRIFT_METHODS } from '../engine/types';
import { columnTypesFromDatasetEntity } from '../io/datasetEntity';
import { DATA_FORMATS, DataFormat } from '../io/types';
import { DriftWorkerPool } from '../worker/pool';
import { reportToJson, reportToTable } from './format';

/** Exit code for a computed report. */
export const EXIT_OK = 0;
/** Exit code for an unexpected failure. */
export const EXIT_FAILURE = 1;
/** Exit code for bad input (message on stderr). */
export const EXIT_BAD_INPUT = 2;

export const USAGE = `Usage: drift --reference <file> --current <file> [options]

Compares two datasets column by column with Evidently's default drift tests.

Inputs
  --reference <file>            reference data (.csv, .parquet, .jsonl)
  --current <file>              current data
  --reference-format <fmt>      csv | parquet | jsonl (default: from extension)
  --current-format <fmt>        csv | parquet | jsonl (default: from extension)
  --column-types <json|file>    {"col": "numerical|categorical|boolean|text|datetime", ...}
  --dataset-entity <file>       Dataset entity YAML; types from spec.schema.columns
                                (without either, every reference column is compared
                                and its type inferred from the values)
Methods and thresholds
  --method <name>               one method for every column: ${DRIFT_METHODS.join(
    ', ',
  )}
  --num-method <name>           method for numerical columns
  --cat-method <name>           method for categorical and boolean columns
  --per-column-method <json>    {"col": "<method>", ...}
  --threshold <x>               threshold for every column
  --per-column-threshold <json> {"col": <x>, ...}
  --drift-share <x>             dataset drift when drifted share >= x (default 0.5)
Output
  --format json|table           (default: json)
  --include-histograms          add per-column histograms to the JSON output
  --workers <n>                 worker threads (default 2)
  -h, --help

Exit status: 0 when the report was computed (drift or not), 2 on bad input, 1 on
an internal error.
`;

/** Where the CLI writes and how it resolves relative paths. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Further directories tried, in order, when a relative path is not found under `cwd`. */
  fallbackDirs?: string[];
}

function defaultIo(): CliIo {
  const dirs = [
    // where the user typed `yarn …` (yarn runs scripts in the package directory)
    process.env.INIT_CWD,
    // `yarn workspace … run` sets INIT_CWD to the package directory; paths
    // given from the repository root are found here
    process.env.PROJECT_CWD,
    process.cwd(),
  ].filter((d): d is string => Boolean(d));
  return {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    cwd: dirs[0],
    fallbackDirs: dirs.slice(1),
  };
}

/** A path resolved against the first directory where it exists (else `cwd`). */
function resolvePath(path: string, io: CliIo): string {
  if (isAbsolute(path)) {
    return path;
  }
  for (const dir of [io.cwd, ...(io.fallbackDirs ?? [])]) {
    const candidate = resolve(dir, path);
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  return resolve(io.cwd, path);
}

function parseJsonArgument(flag: string, value: string, io: CliIo): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new InputError(
        `${flag} is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  const path = resolvePath(value, io);
  if (!existsSync(path)) {
    throw new InputError(
      `${flag} must be a JSON object or a JSON file; ${value} is neither`,
    );
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(
      `${flag} file ${value} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function parseNumberArgument(
  flag: string,
  value: string | undefined,
): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new InputError(`${flag} must be a number, got '${value}'`);
  }
  return n;
}

function parseFormat(
  flag: string,
  value: string | undefined,
): DataFormat | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!(DATA_FORMATS as readonly string[]).includes(value)) {
    throw new InputError(
      `${flag} must be one of ${DATA_FORMATS.join(', ')}, got '${value}'`,
    );
  }
  return value as DataFormat;
}

/**
 * Runs the drift command line and returns its exit code: 0 when a report
 * was computed, 2 on bad input (the message goes to stderr), 1 otherwise.
 *
 * @public
 */
export async function runDriftCli(
  argv: string[],
  io: CliIo = defaultIo(),
): Promise<number> {
  let pool: DriftWorkerPool | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
          reference: { type: 'string' },
          current: { type: 'string' },
          'reference-format': { type: 'string' },
          'current-format': { type: 'string' },
          'column-types': { type: 'string' },
          'dataset-entity': { type: 'string' },
          method: { type: 'string' },
          'num-method': { type: 'string' },
          'cat-method': { type: 'string' },
          'per-column-method': { type: 'string' },
          threshold: { type: 'string' },
          'per-column-threshold': { type: 'string' },
          'drift-share': { type: 'string' },
          format: { type: 'string', default: 'json' },
          'include-histograms': { type: 'boolean', default: false },
          workers: { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (error) {
      throw new InputError(`${(error as Error).message}\n\n${USAGE}`);
    }
    const values = parsed.values;
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (!values.reference || !values.current) {
      throw new InputError(
        `--reference and --current are required\n\n${USAGE}`,
      );
    }
    if (values.format !== 'json' && values.format !== 'table') {
      throw new InputError(
        `--format must be json or table, got '${values.format}'`,
      );
    }
    if (values['column-types'] && values['dataset-entity']) {
      throw new InputError(
        'Give either --column-types or --dataset-entity, not both',
      );
    }

    const at = (p: string) => resolvePath(p, io);
    let columnTypes: Record<string, ColumnType> | undefined;
    if (values['column-types']) {
      columnTypes = parseJsonArgument(
        '--column-types',
        values['column-types'],
        io,
      ) as Record<string, ColumnType>;
    } else if (values['dataset-entity']) {
      const entityPath = at(values['dataset-entity']);
      let text: string;
      try {
        text = readFileSync(entityPath, 'utf8');
      } catch (error) {
        throw new InputError(
          `Cannot read --dataset-entity ${values['dataset-entity']}: ${
            (error as Error).message
          }`,
        );
      }
      columnTypes = columnTypesFromDatasetEntity(
        text,
        values['dataset-entity'],
      );
    }

    const rawOptions: Record<string, unknown> = {
      method: values.method,
      numMethod: values['num-method'],
      catMethod: values['cat-method'],
      threshold: parseNumberArgument('--threshold', values.threshold),
      driftShare: parseNumberArgument('--drift-share', values['drift-share']),
      perColumnMethod: values['per-column-method']
        ? parseJsonArgument(
            '--per-column-method',
            values['per-column-method'],
            io,
          )
        : undefined,
      perColumnThreshold: values['per-column-threshold']
        ? parseJsonArgument(
            '--per-column-threshold',
            values['per-column-threshold'],
            io,
          )
        : undefined,
    };
    const options: DriftOptions = parseDriftOptions(
      Object.fromEntries(
        Object.entries(rawOptions).filter(([, v]) => v !== undefined),
      ),
    );
    const workers = parseNumberArgument('--workers', values.workers);
    pool = new DriftWorkerPool({ size: workers });

    const report = await computeDriftReport({
      reference: {
        path: at(values.reference),
        name: values.reference,
        format: parseFormat('--reference-format', values['reference-format']),
      },
      current: {
        path: at(values.current),
        name: values.current,
        format: parseFormat('--current-format', values['current-format']),
      },
      columnTypes,
      options,
      pool,
    });
    io.stdout(
      values.format === 'table'
        ? reportToTable(report)
        : `${JSON.stringify(
            reportToJson(report, values['include-histograms']),
            null,
            2,
          )}\n`,
    );
    return EXIT_OK;
  } catch (error) {
    if (isError(error) && error.name === 'InputError') {
      io.stderr(`drift: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    io.stderr(
      `drift: internal error: ${
        isError(error) ? error.stack ?? error.message : String(error)
      }\n`,
    );
    return EXIT_FAILURE;
  } finally {
    await pool?.close();
  }
}
