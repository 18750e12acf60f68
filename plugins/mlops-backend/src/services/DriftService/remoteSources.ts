import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalDataUrlReader } from './LocalDataUrlReader';

type UrlPredicate = (url: URL) => boolean;

/**
 * An allow list with the semantics of Backstage's `backend.reading.allow`
 * (the FetchUrlReader's predicate): `host` is a host name, optionally with
 * `:port` or a port range, or `*.domain` for its subdomains; `paths`, when
 * given, are path prefixes matched at segment boundaries. A URL without a
 * port only matches entries without one.
 */
export function readingAllowPredicate(
  entries: Config[] | undefined,
): UrlPredicate {
  const predicates = (entries ?? []).map((entry): UrlPredicate => {
    const paths = entry.getOptionalStringArray('paths');
    const checkPath: UrlPredicate = paths
      ? url => {
          const target = path.posix.normalize(url.pathname);
          return paths.some(allowed => {
            const prefix = allowed.endsWith('/') ? allowed : `${allowed}/`;
            return target === allowed || target.startsWith(prefix);
          });
        }
      : () => true;
    const [hostname, port] = entry.getString('host').split(':');
    const checkPort = portPredicate(port);
    if (hostname.startsWith('*.')) {
      const suffix = hostname.slice(1);
      return url =>
        url.hostname.endsWith(suffix) && checkPath(url) && checkPort(url);
    }
    return url => url.hostname === hostname && checkPath(url) && checkPort(url);
  });
  return url => predicates.some(p => p(url));
}

function portPredicate(port: string | undefined): UrlPredicate {
  if (!port) {
    return url => !url.port;
  }
  const [start, end] = port.includes('-')
    ? port.split('-').map(p => parseInt(p, 10))
    : [parseInt(port, 10), parseInt(port, 10)];
  const inRange = (n: number) => n >= start && n <= end;
  return url => {
    if (url.port) {
      return inRange(parseInt(url.port, 10));
    }
    if (url.protocol === 'http:') {
      return inRange(80);
    }
    if (url.protocol === 'https:') {
      return inRange(443);
    }
    return false;
  };
}

/** A URL without its user info and query (which may hold credentials). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hadQuery = parsed.search !== '';
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return `${parsed.toString()}${hadQuery ? '?…' : ''}`;
  } catch {
    return url.replace(/\?.*$/, '?…');
  }
}

/**
 * Decides which data locations a Ray job may be told to read. The backend
 * does not read the data itself, so it applies the same rules its own
 * readers would:
 *
 * - `file:` URLs (absolute paths, read from the Ray nodes' file systems):
 *   inside `mlops.drift.localDataRoots`, checked on the path (the files
 *   live on the cluster, so links cannot be resolved here);
 * - `http(s):` URLs: allowed by `backend.reading.allow` or
 *   `mlops.drift.ray.allow`;
 * - `s3:` URLs (`s3://bucket/key`): allowed by `mlops.drift.ray.allow`,
 *   whose `host` is then the bucket and `paths` the key prefixes.
 *
 * Both lists have `backend.reading.allow`'s semantics. Everything else is
 * refused with a NotAllowedError naming the source.
 */
export class RemoteSourcePolicy {
  private readonly local: LocalDataUrlReader;
  private readonly reading: UrlPredicate;
  private readonly ray: UrlPredicate;

  constructor(options: {
    localDataRoots: string[];
    readingAllow?: Config[];
    rayAllow?: Config[];
  }) {
    this.local = new LocalDataUrlReader(options.localDataRoots);
    this.reading = readingAllowPredicate(options.readingAllow);
    this.ray = readingAllowPredicate(options.rayAllow);
  }

  static fromConfig(
    root: Config | undefined,
    localDataRoots: string[],
  ): RemoteSourcePolicy {
    return new RemoteSourcePolicy({
      localDataRoots,
      readingAllow: root?.getOptionalConfigArray('backend.reading.allow'),
      rayAllow: root?.getOptionalConfigArray('mlops.drift.ray.allow'),
    });
  }

  /**
   * The location the Ray job reads (`file:` URLs as paths); throws a
   * NotAllowedError naming the source when it may not be read.
   */
  check(url: string, name: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NotAllowedError(`Cannot read ${name}: not a valid URL`);
    }
    switch (parsed.protocol) {
      case 'file:':
        if (this.local.handles(url)) {
          return path.resolve(fileURLToPath(parsed));
        }
        throw new NotAllowedError(
          `Reading ${name} is not allowed: it is not a file inside mlops.drift.localDataRoots`,
        );
      case 'http:':
      case 'https:':
        if (this.reading(parsed) || this.ray(parsed)) {
          return url;
        }
        throw new NotAllowedError(
          `Reading ${name} is not allowed: add its host to backend.reading.allow or mlops.drift.ray.allow`,
        );
      case 's3:':
        if (this.ray(parsed)) {
          return url;
        }
        throw new NotAllowedError(
          `Reading ${name} is not allowed: add its bucket to mlops.drift.ray.allow`,
        );
      default:
        throw new NotAllowedError(
          `Reading ${name} is not allowed: the Ray drift executor reads file:, http(s): and s3: locations only`,
        );
    }
  }
}
