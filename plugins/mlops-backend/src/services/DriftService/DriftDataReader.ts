import { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { DataSource } from '@synth/plugin-mlops-drift';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DriftSourceSpec } from '../../database/DriftStore';
import { LocalDataUrlReader } from './LocalDataUrlReader';

const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * The URL a data location is read from: URLs as they are, absolute paths as
 * `file:` URLs. Relative paths are resolved by the catalog processor against
 * the entity's own location; one that is still relative cannot be read.
 */
export function locationToUrl(location: string, what: string): string {
  if (URI.test(location) && !/^[a-zA-Z]:[\\/]/.test(location)) {
    try {
      return new URL(location).toString();
    } catch {
      throw new InputError(`${what} '${location}' is not a valid URL`);
    }
  }
  if (path.isAbsolute(location)) {
    return pathToFileURL(location).toString();
  }
  throw new InputError(
    `${what} '${location}' is a relative path; it must be a URL or an absolute path (the catalog resolves ./ and ../ paths against the entity's location)`,
  );
}

/**
 * Reads drift data through Backstage's UrlReader, so integrations and
 * `backend.reading.allow` apply. `file:` URLs inside
 * `mlops.drift.localDataRoots` are read by the plugin's
 * {@link LocalDataUrlReader}; every other URL goes to the UrlReader.
 */
export class DriftDataReader {
  private readonly local: LocalDataUrlReader;

  constructor(
    private readonly options: {
      urlReader?: UrlReaderService;
      localDataRoots: string[];
    },
  ) {
    this.local = new LocalDataUrlReader(options.localDataRoots);
  }

  /** A data source for the drift engine; errors are InputErrors naming the source. */
  async open(
    source: DriftSourceSpec,
    side: 'reference' | 'current',
  ): Promise<DataSource> {
    const name = `the ${side} data (${source.url})`;
    const reader = this.local.handles(source.url)
      ? this.local
      : this.options.urlReader;
    if (!reader) {
      throw new InputError(`Cannot read ${name}: no UrlReader is available`);
    }
    try {
      const response = await reader.readUrl(source.url);
      // Parquet needs random access; CSV and JSON Lines are parsed as they stream.
      const data =
        source.format !== 'parquet' && response.stream
          ? response.stream()
          : await response.buffer();
      return { data, format: source.format, name };
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      throw new InputError(`Cannot read ${name}: ${message}`);
    }
  }
}
