import { isChildPath } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListedFile, listFiles } from '../workspace/listFiles';
import { zipDeterministic, ZipEntry } from '../workspace/zip';

/**
 * Lambda's limits for a deployment package sent in the request (ZipFile):
 * 50 MB zipped, 250 MB unzipped
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
export const LAMBDA_ZIP_LIMITS = {
  zippedBytes: 50 * 1024 * 1024,
  unzippedBytes: 250 * 1024 * 1024,
};

export type LambdaZipLimits = typeof LAMBDA_ZIP_LIMITS;

const mb = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : `${bytes} bytes`;

/** The local path of a file: artefact URI, or undefined for any other URI. */
export function localArtifactPath(
  artifactUri: string | undefined,
): string | undefined {
  if (!artifactUri?.startsWith('file://')) {
    return undefined;
  }
  try {
    return path.resolve(fileURLToPath(artifactUri));
  } catch {
    throw new InputError(
      `The artefact '${artifactUri}' is not a valid file: URL`,
    );
  }
}

/**
 * Lexical check that a local artefact lies inside one of the roots the
 * backend may read (the local executor's artefact directory). The real path
 * is checked again when the artefact is packaged.
 */
export function assertAllowedArtifactPath(
  artifactUri: string,
  file: string,
  roots: string[],
): void {
  if (!roots.some(root => file !== root && isChildPath(root, file))) {
    throw new InputError(
      `The artefact '${artifactUri}' cannot be deployed to AWS Lambda: local artefacts are packaged only from the local executor's artefact directory (${
        roots.length ? roots.join(', ') : 'the local executor is not enabled'
      })`,
    );
  }
}

/**
 * The Lambda deployment package of a local artefact: a `.zip` file as it is,
 * or a directory zipped with its files at the root of the archive. Refuses
 * paths outside `roots` (after resolving links) and packages over Lambda's
 * size limits, naming the artefact.
 */
export async function packageLocalArtifact(options: {
  artifactUri: string;
  roots: string[];
  limits?: LambdaZipLimits;
}): Promise<Buffer> {
  const { artifactUri, roots } = options;
  const limits = options.limits ?? LAMBDA_ZIP_LIMITS;
  const file = localArtifactPath(artifactUri)!;
  assertAllowedArtifactPath(artifactUri, file, roots);
  const real = await fs.realpath(file).catch(() => undefined);
  if (!real) {
    throw new NotFoundError(
      `The artefact '${artifactUri}' does not exist on this backend (was the run's output directory removed?)`,
    );
  }
  const realRoots = await Promise.all(
    roots.map(root => fs.realpath(root).catch(() => root)),
  );
  assertAllowedArtifactPath(artifactUri, real, realRoots);

  const stat = await fs.stat(real);
  const tooLarge = (size: number) =>
    new InputError(
      `The artefact '${artifactUri}' is too large for AWS Lambda: its package is ${mb(
        size,
      )}, over the ${mb(
        limits.zippedBytes,
      )} limit of a zip sent with the request; upload it to S3 or build a container image instead`,
    );
  if (stat.isFile()) {
    if (!real.endsWith('.zip')) {
      throw new InputError(
        `The artefact '${artifactUri}' is a file but not a .zip; Lambda takes a zip package or a directory to zip`,
      );
    }
    if (stat.size > limits.zippedBytes) {
      throw tooLarge(stat.size);
    }
    return fs.readFile(real);
  }
  if (!stat.isDirectory()) {
    throw new InputError(
      `The artefact '${artifactUri}' is neither a directory nor a .zip file`,
    );
  }

  const files: ListedFile[] = [];
  let unzippedBytes = 0;
  for await (const listed of listFiles(real, {
    onSymlink: link =>
      new InputError(
        `The artefact '${artifactUri}' contains a symbolic link (${link}); Lambda packages are built from regular files only`,
      ),
  })) {
    unzippedBytes += listed.size;
    if (unzippedBytes > limits.unzippedBytes) {
      throw new InputError(
        `The artefact '${artifactUri}' is too large for AWS Lambda: more than ${mb(
          limits.unzippedBytes,
        )} unzipped (Lambda's limit for a zip package); deploy it as an S3 zip with layers or as a container image instead`,
      );
    }
    files.push(listed);
  }
  if (files.length === 0) {
    throw new InputError(
      `The artefact '${artifactUri}' is an empty directory; there is nothing to deploy`,
    );
  }
  const entries: ZipEntry[] = [];
  for (const entry of files) {
    entries.push({
      path: entry.path,
      content: await fs.readFile(entry.full),
      mode: 0o644,
    });
  }
  // Equal artefacts give equal packages (and so an equal CodeSha256).
  const buffer = await zipDeterministic(entries);
  if (buffer.length > limits.zippedBytes) {
    throw tooLarge(buffer.length);
  }
  return buffer;
}
