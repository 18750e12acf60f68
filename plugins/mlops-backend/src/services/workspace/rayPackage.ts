import { createHash } from 'node:crypto';
import { WorkingDirFile } from './workingDir';
import { zipDeterministic } from './zip';

/**
 * Zips a working directory the way Ray's SDK does for `working_dir` (files
 * at the root of the archive) and names it `_ray_pkg_<content hash>.zip`, so
 * an unchanged directory is uploaded once.
 */
export async function buildRayPackage(
  files: WorkingDirFile[],
): Promise<{ name: string; zip: Buffer }> {
  const buffer = await zipDeterministic(
    [...files].sort((a, b) => a.path.localeCompare(b.path)),
  );
  const hash = createHash('sha256').update(buffer).digest('hex').slice(0, 32);
  return { name: `_ray_pkg_${hash}.zip`, zip: buffer };
}
