import JSZip from 'jszip';

/** Fixed timestamp of every entry, so equal files give byte-identical archives. */
const EPOCH = new Date('1980-01-01T00:00:00Z');

/** One file of an archive: its path inside the archive ('/'-separated). */
export type ZipEntry = { path: string; content: Buffer; mode?: number };

/**
 * A deterministic zip (DEFLATE, UNIX permissions, fixed timestamps, no
 * folder entries) of the entries in the order given: the same entries give
 * the same bytes, so content hashes (Ray package names, Lambda CodeSha256)
 * stay stable.
 */
export async function zipDeterministic(entries: ZipEntry[]): Promise<Buffer> {
  const zip = new JSZip();
  for (const entry of entries) {
    zip.file(entry.path, entry.content, {
      date: EPOCH,
      unixPermissions: entry.mode || 0o644,
      createFolders: false,
    });
  }
  return zip.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    platform: 'UNIX',
  });
}
