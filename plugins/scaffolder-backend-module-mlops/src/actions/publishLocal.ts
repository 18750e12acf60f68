import {
  BackstageCredentials,
  LoggerService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  toError,
} from '@backstage/errors';
import {
  CatalogService,
  locationSpecToLocationEntity,
} from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { MLMODEL_KIND } from '@synth/plugin-mlops-common';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { minimatch } from 'minimatch';
import yaml from 'yaml';
import { assertName, resolveRelativePath } from '../lib/inputChecks';
import { examples } from './publishLocal.examples';

/**
 * The id of the action that publishes a project to a local directory.
 *
 * @public
 */
export const PUBLISH_LOCAL_ACTION_ID = 'mlops:publish:local';

/** The kinds the catalog allows when `catalog.rules` is not configured. */
const DEFAULT_ALLOWED_KINDS = ['Component', 'API', 'Location'];

/** A `catalog.locations` entry of type `file` whose glob covers a path. */
type CoveringLocation = {
  /** The absolute target, as the catalog resolves it. */
  target: string;
  /** The Location entity the catalog made for it. */
  entityRef: string;
  /** Kinds its rules allow, or undefined when the global rules apply. */
  allowedKinds?: string[];
};

function kindsOf(rules: Config[] | undefined): string[] | undefined {
  return rules?.flatMap(rule => rule.getOptionalStringArray('allow') ?? []);
}

/**
 * The `catalog.locations` entry of type `file` that reads `file`, resolved
 * like the catalog's config location provider does (relative to the
 * backend's working directory).
 */
export function findCoveringLocation(
  config: Config,
  file: string,
): CoveringLocation | undefined {
  for (const location of config.getOptionalConfigArray('catalog.locations') ??
    []) {
    if (location.getString('type') !== 'file') {
      continue;
    }
    const target = path.resolve(location.getString('target'));
    if (!minimatch(file, target)) {
      continue;
    }
    const entity = locationSpecToLocationEntity({
      location: { type: 'file', target },
    });
    return {
      target,
      entityRef: stringifyEntityRef(entity),
      allowedKinds: kindsOf(location.getOptionalConfigArray('rules')),
    };
  }
  return undefined;
}

function readEntities(text: string, field: string): Entity[] {
  const documents = yaml.parseAllDocuments(text);
  const entities: Entity[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new InputError(
        `${field} is not valid YAML: ${document.errors[0].message}`,
      );
    }
    const value = document.toJSON();
    if (value === null || value === undefined) {
      continue;
    }
    if (
      typeof value !== 'object' ||
      typeof value.kind !== 'string' ||
      typeof value.metadata?.name !== 'string'
    ) {
      throw new InputError(
        `${field} holds a document that is not an entity (kind and metadata.name are required)`,
      );
    }
    entities.push(value as Entity);
  }
  if (entities.length === 0) {
    throw new InputError(`${field} holds no entity`);
  }
  return entities;
}

type ProjectFile = { path: string; content: Buffer; executable: boolean };

/**
 * Reads every regular file below `root` (without `.git`), keeping the
 * executable bit. Symbolic links and special files are refused: a template
 * never needs them, and copying them out of the workspace could expose
 * files of the backend's machine.
 */
async function readProject(root: string, dir = root): Promise<ProjectFile[]> {
  const files: ProjectFile[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const relative = path.relative(root, full).split(path.sep).join('/');
    if (entry.isDirectory()) {
      if (entry.name !== '.git') {
        files.push(...(await readProject(root, full)));
      }
    } else if (entry.isFile()) {
      const stat = await fs.lstat(full);
      files.push({
        path: relative,
        content: await fs.readFile(full),
        executable: (stat.mode & 0o111) !== 0,
      });
    } else {
      throw new InputError(
        `sourcePath holds ${
          entry.isSymbolicLink() ? 'a symbolic link' : 'a special file'
        } (${relative}); local publishing copies regular files only`,
      );
    }
  }
  return files;
}

async function writeProject(target: string, files: ProjectFile[]) {
  for (const file of files) {
    const full = resolveSafeChildPath(target, file.path);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, file.content, {
      mode: file.executable ? 0o755 : 0o644,
      flag: 'wx',
    });
  }
}

async function refreshLocation(options: {
  catalog: CatalogService;
  entityRef: string;
  credentials: BackstageCredentials;
  logger: LoggerService;
}) {
  try {
    await options.catalog.refreshEntity(options.entityRef, {
      credentials: options.credentials,
    });
    options.logger.info(
      `Asked the catalog to read ${options.entityRef} again; the new entities appear in a few seconds`,
    );
  } catch (error) {
    // The files are in place; the catalog reads them at its next cycle anyway.
    options.logger.warn(
      `Could not refresh ${options.entityRef} (${
        toError(error).message
      }); the catalog picks the project up at its next processing cycle`,
    );
  }
}

/**
 * Creates `mlops:publish:local`: copies the workspace (or a folder of it)
 * into `<scaffolder.mlops.localPublish.directory>/<name>` and asks the
 * catalog to read that directory's `catalog-info.yaml` through the `file`
 * location in `catalog.locations` that covers it. This is the no-token path
 * of the templates: `catalog:register` only registers `url` locations, which
 * the UrlReader cannot read from disk.
 *
 * The action first checks everything that would make the project invisible
 * (no covering location, a kind its rules do not allow, an existing project
 * of the same name), then writes into a temporary sibling directory and
 * renames it into place, so the catalog never reads a half-written project.
 *
 * @public
 */
export function createPublishLocalAction(options: {
  config: Config;
  catalog: CatalogService;
}) {
  const { config, catalog } = options;
  return createTemplateAction({
    id: PUBLISH_LOCAL_ACTION_ID,
    description:
      'Publishes the workspace into a local directory that a file location of the catalog reads, and refreshes that location',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe(
              'The project directory name, ^[a-z][a-z0-9-]{1,62}$; it must not exist yet',
            ),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe(
              'The workspace folder to publish, relative to the workspace. Default: the whole workspace',
            ),
        catalogInfoPath: z =>
          z
            .string()
            .optional()
            .describe(
              'The entity file inside the published folder. Default: catalog-info.yaml',
            ),
      },
      output: {
        directory: z =>
          z.string().describe('The absolute path of the published project'),
        catalogInfoPath: z =>
          z.string().describe('The absolute path of its entity file'),
        catalogInfoUrl: z =>
          z.string().describe('The file:// URL of its entity file'),
        entityRef: z =>
          z
            .string()
            .describe(
              'The main entity of the project: its MLModel, else its first entity',
            ),
        locationRef: z =>
          z
            .string()
            .describe('The catalog Location entity that reads the project'),
      },
    },
    async handler(ctx) {
      const configured = config.getOptionalString(
        'scaffolder.mlops.localPublish.directory',
      );
      if (!configured) {
        throw new NotAllowedError(
          'Publishing to a local directory is not enabled: set scaffolder.mlops.localPublish.directory (see the README of @synth/plugin-scaffolder-backend-module-mlops), or publish to a Git host',
        );
      }
      const name = assertName(ctx.input.name, 'name');
      const source = resolveRelativePath(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
        'sourcePath',
      );
      const catalogInfoRelative =
        ctx.input.catalogInfoPath ?? 'catalog-info.yaml';
      const catalogInfoSource = resolveRelativePath(
        source,
        catalogInfoRelative,
        'catalogInfoPath',
      );

      const root = path.resolve(configured);
      const directory = resolveSafeChildPath(root, name);
      const catalogInfoPath = resolveSafeChildPath(
        directory,
        catalogInfoRelative,
      );

      const text = await fs.readFile(catalogInfoSource, 'utf8').catch(error => {
        throw new InputError(
          `catalogInfoPath ${catalogInfoRelative} cannot be read from the workspace: ${
            toError(error).message
          }`,
        );
      });
      const entities = readEntities(
        text,
        `catalogInfoPath ${catalogInfoRelative}`,
      );

      const location = findCoveringLocation(config, catalogInfoPath);
      if (!location) {
        throw new NotAllowedError(
          `No catalog location of type file covers ${catalogInfoPath}, so the catalog would never read the project. Add to catalog.locations: { type: file, target: ${path.join(
            root,
            '*',
            catalogInfoRelative,
          )} } with rules that allow its kinds`,
        );
      }
      const allowed =
        location.allowedKinds ??
        kindsOf(config.getOptionalConfigArray('catalog.rules')) ??
        DEFAULT_ALLOWED_KINDS;
      const refused = entities
        .map(e => e.kind)
        .filter(
          kind =>
            !allowed.some(
              a =>
                a.toLocaleLowerCase('en-US') ===
                kind.toLocaleLowerCase('en-US'),
            ),
        );
      if (refused.length > 0) {
        throw new NotAllowedError(
          `The catalog rules for ${location.target} do not allow the kind(s) ${[
            ...new Set(refused),
          ].join(
            ', ',
          )}; allow them in catalog.locations[].rules or catalog.rules`,
        );
      }

      const exists = await fs
        .lstat(directory)
        .then(() => true)
        .catch(() => false);
      if (exists) {
        throw new ConflictError(
          `name: a project named ${name} is already published at ${directory}; choose another name`,
        );
      }

      const main = entities.find(e => e.kind === MLMODEL_KIND) ?? entities[0];
      const outputs = {
        directory,
        catalogInfoPath,
        catalogInfoUrl: pathToFileURL(catalogInfoPath).toString(),
        entityRef: stringifyEntityRef(main),
        locationRef: location.entityRef,
      };

      const files = await readProject(source);

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would publish ${files.length} files to ${directory} and refresh ${location.entityRef}`,
        );
      } else {
        await fs.mkdir(root, { recursive: true });
        const staging = resolveSafeChildPath(
          root,
          `.${name}.publishing-${randomUUID()}`,
        );
        try {
          await writeProject(staging, files);
          // rename fails if another task published the same name meanwhile.
          await fs.rename(staging, directory).catch(error => {
            throw error?.code === 'ENOTEMPTY' || error?.code === 'EEXIST'
              ? new ConflictError(
                  `name: a project named ${name} was published at ${directory} while this task ran; choose another name`,
                )
              : error;
          });
        } finally {
          await fs.rm(staging, { recursive: true, force: true });
        }
        ctx.logger.info(`Published ${files.length} files to ${directory}`);
        await refreshLocation({
          catalog,
          entityRef: location.entityRef,
          credentials: await ctx.getInitiatorCredentials(),
          logger: ctx.logger,
        });
      }

      for (const [key, value] of Object.entries(outputs)) {
        ctx.output(key as keyof typeof outputs, value);
      }
    },
  });
}
