import {
  resolveSafeChildPath,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  parseLocationRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { isChildPath } from '@backstage/backend-plugin-api';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkingDirSource } from '../../database/MlopsStore';
import { listFiles } from './listFiles';

/** A URI with a scheme, e.g. `gcs://…`, `s3://…`, `https://…`. */
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** Directories never copied into a run's working directory. */
const SKIPPED_DIRS = new Set([
  '.git',
  '__pycache__',
  'node_modules',
  '.venv',
  '.mypy_cache',
  '.pytest_cache',
]);

export type WorkingDirFile = { path: string; content: Buffer; mode: number };

function baseLocation(
  entity: Entity,
): { type: string; target: string } | undefined {
  const annotations = entity.metadata.annotations ?? {};
  for (const annotation of [ANNOTATION_SOURCE_LOCATION, ANNOTATION_LOCATION]) {
    const value = annotations[annotation];
    if (!value) {
      continue;
    }
    try {
      const location = parseLocationRef(value);
      if (location.type === 'file' || location.type === 'url') {
        return {
          type: location.type,
          // The source location names a directory, the managed-by location a file.
          target:
            location.type === 'file' && annotation === ANNOTATION_LOCATION
              ? path.dirname(location.target)
              : location.target,
        };
      }
    } catch {
      // not a location reference; try the next annotation
    }
  }
  return undefined;
}

/**
 * Resolves `spec.training.workingDir` of an MLModel.
 *
 * The rule (README, "Working directory"):
 * 1. A URI with a scheme other than `file` (`gcs://`, `s3://`, `https://….zip`)
 *    is handed to Ray as `runtime_env.working_dir` unchanged.
 * 2. A relative path is resolved against the entity's own location: the
 *    directory of the `backstage.io/source-location` annotation, else the
 *    directory of the file in `backstage.io/managed-by-location`. For a
 *    `file:` location it must stay inside that directory or inside one of
 *    `mlops.training.workingDirRoots`; for a `url:` location it is read
 *    through the UrlReader (so `backend.reading.allow` applies).
 * 3. An absolute path must lie inside one of `mlops.training.workingDirRoots`.
 */
export async function resolveWorkingDir(
  entity: Entity,
  workingDir: string,
  options: { roots: string[]; modelRef: string },
): Promise<WorkingDirSource> {
  const field = 'spec.training.workingDir';
  if (URI.test(workingDir) && !workingDir.startsWith('file://')) {
    return { type: 'uri', uri: workingDir };
  }
  const inRoots = (p: string) =>
    options.roots.some(root => isChildPath(root, p));

  let resolved: string;
  if (workingDir.startsWith('file://') || path.isAbsolute(workingDir)) {
    resolved = path.resolve(
      workingDir.startsWith('file://')
        ? new URL(workingDir).pathname
        : workingDir,
    );
    if (!inRoots(resolved)) {
      throw new InputError(
        `${options.modelRef}: ${field} '${workingDir}' is an absolute path outside mlops.training.workingDirRoots`,
      );
    }
  } else {
    const base = baseLocation(entity);
    if (!base) {
      throw new InputError(
        `${options.modelRef}: ${field} '${workingDir}' is relative, but the entity has no file or url location to resolve it against`,
      );
    }
    if (base.type === 'url') {
      return { type: 'url', url: new URL(workingDir, base.target).toString() };
    }
    resolved = path.resolve(base.target, workingDir);
    if (!isChildPath(base.target, resolved) && !inRoots(resolved)) {
      throw new InputError(
        `${options.modelRef}: ${field} '${workingDir}' leaves the entity's directory ${base.target}; add the target to mlops.training.workingDirRoots to allow it`,
      );
    }
  }
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new InputError(
      `${options.modelRef}: ${field} '${workingDir}' resolves to ${resolved}, which is not a directory`,
    );
  }
  return { type: 'file', path: resolved };
}

async function readFiles(
  root: string,
  files: WorkingDirFile[],
  maxBytes: number,
): Promise<void> {
  let bytes = 0;
  // Never follow links out of the directory.
  for await (const file of listFiles(root, {
    onSymlink: 'skip',
    skipDirs: SKIPPED_DIRS,
  })) {
    bytes += file.size;
    if (bytes > maxBytes) {
      throw new InputError(
        `The working directory ${root} is larger than mlops.training.maxWorkingDirBytes (${maxBytes} bytes)`,
      );
    }
    files.push({
      path: file.path,
      content: await fs.readFile(file.full),
      mode: file.mode & 0o777,
    });
  }
}

/**
 * A fingerprint of a `file` working directory from the paths, sizes and
 * modification times of the files `readWorkingDir` would read (no content
 * is read), to recognise an unchanged directory cheaply.
 */
export async function fingerprintWorkingDir(dir: string): Promise<string> {
  const real = await fs.realpath(dir);
  const parts: string[] = [];
  for await (const file of listFiles(real, {
    onSymlink: 'skip',
    skipDirs: SKIPPED_DIRS,
  })) {
    parts.push(`${file.path}\0${file.size}\0${file.mtimeMs}\0${file.mode}`);
  }
  return `${real}\0${parts.join('\n')}`;
}

/**
 * Reads the files of a `file` or `url` working directory, skipping symbolic
 * links and tool directories (`.git`, `__pycache__`, …), bounded in size.
 */
export async function readWorkingDir(
  source: WorkingDirSource,
  options: { urlReader?: UrlReaderService; maxBytes: number },
): Promise<WorkingDirFile[]> {
  if (source.type === 'file') {
    const real = await fs.realpath(source.path);
    const files: WorkingDirFile[] = [];
    await readFiles(real, files, options.maxBytes);
    return files;
  }
  if (source.type === 'url') {
    if (!options.urlReader) {
      throw new InputError('Reading a url working directory needs a UrlReader');
    }
    const tree = await options.urlReader.readTree(source.url);
    const files: WorkingDirFile[] = [];
    let bytes = 0;
    for (const file of await tree.files()) {
      const segments = file.path.split('/');
      if (segments.some(s => SKIPPED_DIRS.has(s))) {
        continue;
      }
      const content = await file.content();
      bytes += content.length;
      if (bytes > options.maxBytes) {
        throw new InputError(
          `The working directory ${source.url} is larger than mlops.training.maxWorkingDirBytes (${options.maxBytes} bytes)`,
        );
      }
      files.push({ path: file.path, content, mode: 0o644 });
    }
    return files;
  }
  throw new InputError(
    `The working directory ${source.uri} is a URI the engine reads itself`,
  );
}

/** Writes files below `dir`, refusing paths that would leave it. */
export async function writeWorkingDir(
  dir: string,
  files: WorkingDirFile[],
): Promise<void> {
  for (const file of files) {
    const target = resolveSafeChildPath(dir, file.path);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, file.content, { mode: file.mode || 0o644 });
  }
}
