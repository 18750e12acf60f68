import { InputError } from '@backstage/errors';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { COLUMN_TYPES, ColumnType } from '../engine/types';

const datasetEntitySchema = z.object({
  kind: z.literal('Dataset'),
  metadata: z.object({ name: z.string() }).loose(),
  spec: z
    .object({
      schema: z.object({
        columns: z
          .array(
            z
              .object({
                name: z.string().min(1),
                type: z.enum(COLUMN_TYPES),
              })
              .loose(),
          )
          .min(1),
      }),
    })
    .loose(),
});

/**
 * Column types from a Dataset entity (`spec.schema.columns[].{name,type}`),
 * given as a YAML or JSON document. In a multi-document file the first
 * document of kind Dataset is used.
 *
 * @public
 */
export function columnTypesFromDatasetEntity(
  yamlText: string,
  sourceName = 'the Dataset entity',
): Record<string, ColumnType> {
  let documents: unknown[];
  try {
    const parsed = parseAllDocuments(yamlText);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const doc of list) {
      if (doc.errors.length > 0) {
        throw doc.errors[0];
      }
    }
    documents = list.map(doc => doc.toJS());
  } catch (error) {
    throw new InputError(
      `Cannot parse ${sourceName} as YAML: ${(error as Error).message}`,
    );
  }
  const candidate = documents.find(
    d =>
      typeof d === 'object' &&
      d !== null &&
      (d as { kind?: unknown }).kind === 'Dataset',
  );
  if (!candidate) {
    throw new InputError(`${sourceName} contains no entity of kind Dataset`);
  }
  const result = datasetEntitySchema.safeParse(candidate);
  if (!result.success) {
    throw new InputError(
      `${sourceName} has no usable spec.schema.columns: ${z.prettifyError(
        result.error,
      )}`,
    );
  }
  const types: Record<string, ColumnType> = {};
  for (const column of result.data.spec.schema.columns) {
    if (column.name in types) {
      throw new InputError(
        `${sourceName} lists column '${column.name}' more than once`,
      );
    }
    types[column.name] = column.type;
  }
  return types;
}
