import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'yaml';
import { resolveRelativePath } from '../lib/inputChecks';
import { validateEntities, WRITABLE_KINDS } from '../lib/validateEntities';
import { examples } from './entityWrite.examples';

/**
 * The id of the action that writes validated entity YAML.
 *
 * @public
 */
export const ENTITY_WRITE_ACTION_ID = 'mlops:entity:write';

/**
 * Creates `mlops:entity:write`: validates MLModel, Dataset, Feature (and the
 * API entities that describe model endpoints) exactly as the catalog will,
 * then writes them as one multi-document YAML file into the workspace. A
 * template that uses it can never publish an entity the catalog rejects.
 *
 * @public
 */
export function createEntityWriteAction(options: { catalog: CatalogService }) {
  const { catalog } = options;
  return createTemplateAction({
    id: ENTITY_WRITE_ACTION_ID,
    description: `Validates ${WRITABLE_KINDS.join(
      ', ',
    )} entities against their kind's schema and writes them as YAML into the workspace`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entities: z =>
          z
            .array(z.record(z.unknown()))
            .min(1)
            .describe(
              'The entities to write, in order. Names must match ^[a-z][a-z0-9-]{1,62}$ and no string may contain template syntax.',
            ),
        path: z =>
          z
            .string()
            .optional()
            .describe(
              'The file to write, relative to the workspace. Default: catalog-info.yaml',
            ),
        overwrite: z =>
          z
            .boolean()
            .optional()
            .describe('Replace the file if it exists. Default: false'),
        append: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Add the entities to the file if it exists (for example once per item of a step with each). Default: false',
            ),
      },
      output: {
        path: z =>
          z.string().describe('The written file, relative to the workspace'),
        entityRef: z =>
          z.string().describe('The reference of the first entity written'),
        entityRefs: z =>
          z.array(z.string()).describe('The references of all entities'),
      },
    },
    async handler(ctx) {
      const relativePath = ctx.input.path ?? 'catalog-info.yaml';
      const target = resolveRelativePath(
        ctx.workspacePath,
        relativePath,
        'path',
      );
      const entities = await validateEntities(ctx.input.entities, {
        field: 'entities',
        catalog,
        credentials: () => ctx.getInitiatorCredentials(),
        locationRef: `url:${pathToFileURL(target).toString()}`,
      });

      const previous = await fs.readFile(target, 'utf8').catch(error => {
        if (error?.code === 'ENOENT') {
          return undefined;
        }
        throw error;
      });
      if (previous !== undefined && !ctx.input.overwrite && !ctx.input.append) {
        throw new ConflictError(
          `path ${relativePath} already exists in the workspace; set overwrite: true to replace it or append: true to add to it`,
        );
      }
      let text = entities
        .map(entity => yaml.stringify(entity, { lineWidth: 0 }))
        .join('---\n');
      if (previous !== undefined && ctx.input.append) {
        const existing = new Set(
          yaml
            .parseAllDocuments(previous)
            .map(d => d.toJSON())
            .filter(e => e?.kind && e?.metadata?.name)
            .map(e => stringifyEntityRef(e)),
        );
        const repeated = entities.find(e =>
          existing.has(stringifyEntityRef(e)),
        );
        if (repeated) {
          throw new ConflictError(
            `path ${relativePath} already holds the entity ${stringifyEntityRef(
              repeated,
            )}`,
          );
        }
        text = `${previous.replace(/\n*$/, '\n')}---\n${text}`;
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, text, 'utf8');

      const refs = entities.map(e => stringifyEntityRef(e));
      ctx.logger.info(`Wrote ${refs.join(', ')} to ${relativePath}`);
      ctx.output('path', relativePath);
      ctx.output('entityRef', refs[0]);
      ctx.output('entityRefs', refs);
    },
  });
}
