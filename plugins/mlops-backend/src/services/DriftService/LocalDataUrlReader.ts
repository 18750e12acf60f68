import {
  isChildPath,
  LoggerService,
  UrlReaderService,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDriftConfig } from './config';

function filePathOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'file:'
      ? path.resolve(fileURLToPath(parsed))
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A UrlReader for `file:` URLs inside configured directories
 * (`mlops.drift.localDataRoots`), so that data next to a catalog checked
 * out on the backend's disk (the example catalog's `catalog/data`) can be
 * read in development. Links are resolved before the check, so a link
 * cannot lead out of a root. Every other URL is refused.
 *
 * It has the shape Backstage's UrlReader factories have, so it can also be
 * registered for the whole backend (see {@link localDataUrlReaderFactory}).
 */
export class LocalDataUrlReader implements UrlReaderService {
  constructor(private readonly roots: string[]) {}

  /** Whether the URL is a `file:` URL inside one of the roots (before resolving links). */
  handles(url: string): boolean {
    const file = filePathOf(url);
    return (
      file !== undefined &&
      this.roots.some(root => root === file || isChildPath(root, file))
    );
  }

  async read(url: string): Promise<Buffer> {
    return (await this.readUrl(url)).buffer();
  }

  async readUrl(url: string): Promise<UrlReaderServiceReadUrlResponse> {
    const file = filePathOf(url);
    if (!file || !this.handles(url)) {
      throw new NotAllowedError(
        `Reading ${url} is not allowed: it is not a file inside mlops.drift.localDataRoots`,
      );
    }
    let real: string;
    try {
      real = await fs.realpath(file);
    } catch {
      throw new NotFoundError(`Cannot read ${url}: no such file`);
    }
    const realRoots = await Promise.all(
      this.roots.map(root => fs.realpath(root).catch(() => root)),
    );
    if (!realRoots.some(root => isChildPath(root, real))) {
      throw new NotAllowedError(
        `Reading ${url} is not allowed: it links out of mlops.drift.localDataRoots`,
      );
    }
    const stat = await fs.stat(real);
    if (!stat.isFile()) {
      throw new NotFoundError(`Cannot read ${url}: not a regular file`);
    }
    return {
      buffer: () => fs.readFile(real),
      stream: () => createReadStream(real),
      lastModifiedAt: stat.mtime,
    };
  }

  async readTree(): Promise<UrlReaderServiceReadTreeResponse> {
    throw new NotAllowedError('LocalDataUrlReader does not read trees');
  }

  async search(): Promise<UrlReaderServiceSearchResponse> {
    throw new NotAllowedError('LocalDataUrlReader does not search');
  }

  toString() {
    return `mlops-local-data{roots=${this.roots.join(',')}}`;
  }
}

/**
 * A Backstage UrlReader factory (the `ReaderFactory` type of
 * `@backstage/backend-defaults/urlReader`) for {@link LocalDataUrlReader}.
 * The mlops plugin uses the reader for `file:` URLs by itself; register the
 * factory to let every plugin's UrlReader read the same directories:
 *
 * ```ts
 * backend.add(createServiceFactory({
 *   service: urlReaderFactoriesServiceRef,
 *   deps: {},
 *   factory: () => localDataUrlReaderFactory,
 * }));
 * ```
 *
 * @public
 */
export const localDataUrlReaderFactory = (options: {
  config: Config;
  logger: LoggerService;
}) => {
  const roots = readDriftConfig(options.config).localDataRoots;
  if (roots.length === 0) {
    return [];
  }
  const reader = new LocalDataUrlReader(roots);
  return [{ reader, predicate: (url: URL) => reader.handles(url.toString()) }];
};
