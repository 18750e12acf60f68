import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { WorkingDirFile } from './workingDir';

/** Fixed timestamp of every entry, so equal directories give equal packages. */
const EPOCH = new Date('1980-01-01T00:00:00Z');

/**
 * Zips a working directory the way Ray's SDK does for `working_dir` (files
 * at the root of the archive) and names it `_ray_pkg_<content hash>.zip`, so
 * an unchanged directory is uploaded once.
 */
export async function buildRayPackage(
  files: WorkingDirFile[],
): Promise<{ name: string; zip: Buffer }> {
  const zip = new JSZip();
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    zip.file(file.path, file.content, {
      date: EPOCH,
      unixPermissions: file.mode || 0o644,
      createFolders: false,
    });
  }
  const buffer = await zip.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    platform: 'UNIX',
  });
  const hash = createHash('sha256').update(buffer).digest('hex').slice(0, 32);
  return { name: `_ray_pkg_${hash}.zip`, zip: buffer };
}
