import fs from 'node:fs/promises';
import path from 'node:path';

/** A regular file found under a directory. */
export type ListedFile = {
  /** Relative to the listed directory, with `/` separators. */
  path: string;
  /** Absolute path. */
  full: string;
  size: number;
  /** `lstat` mode, file type bits included. */
  mode: number;
  mtimeMs: number;
};

/**
 * The regular files under `root`, depth first with each directory's names
 * in a stable order, so equal trees list (and so package) equally. Symbolic
 * links are never followed: skipped, or refused with the error
 * `onSymlink` returns for the link's relative path. Directories named in
 * `skipDirs` are not entered; anything else that is not a regular file is
 * left out. The one directory walker of the working-directory reader, its
 * fingerprint and the Lambda packager.
 */
export async function* listFiles(
  root: string,
  options: {
    onSymlink: 'skip' | ((relativePath: string) => Error);
    skipDirs?: ReadonlySet<string>;
  },
): AsyncGenerator<ListedFile> {
  const relative = (full: string) =>
    path.relative(root, full).split(path.sep).join('/');
  async function* visit(dir: string): AsyncGenerator<ListedFile> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        if (options.onSymlink !== 'skip') {
          throw options.onSymlink(relative(full));
        }
      } else if (entry.isDirectory()) {
        if (!options.skipDirs?.has(entry.name)) {
          yield* visit(full);
        }
      } else if (entry.isFile()) {
        const stat = await fs.lstat(full);
        yield {
          path: relative(full),
          full,
          size: stat.size,
          mode: stat.mode,
          mtimeMs: stat.mtimeMs,
        };
      }
    }
  }
  yield* visit(root);
}
