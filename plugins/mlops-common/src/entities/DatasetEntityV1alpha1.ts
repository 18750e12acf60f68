import { Entity } from '@backstage/catalog-model';
import { DATASET_KIND, MLOPS_API_VERSION_V1ALPHA1 } from './constants';
import { createMlopsKindValidator, MlopsKindValidator } from './validation';
import schema from './Dataset.v1alpha1.schema.json';

/**
 * The shape of the data in a Dataset.
 *
 * @public
 */
export type DatasetType = 'tabular' | 'timeseries' | 'text' | 'image' | 'other';

/**
 * The file format of a Dataset or of monitored data.
 *
 * @public
 */
export type DatasetFormat = 'csv' | 'parquet' | 'jsonl';

/**
 * How a column is treated, e.g. which drift test applies to it.
 *
 * @public
 */
export type DatasetColumnType =
  | 'numerical'
  | 'categorical'
  | 'boolean'
  | 'text'
  | 'datetime';

/**
 * A column of a Dataset.
 *
 * @public
 */
export type DatasetColumn = {
  name: string;
  type: DatasetColumnType;
  description?: string;
};

/**
 * A dataset in the catalog.
 *
 * @public
 */
export interface DatasetEntityV1alpha1 extends Entity {
  apiVersion: typeof MLOPS_API_VERSION_V1ALPHA1;
  kind: typeof DATASET_KIND;
  spec: {
    type: DatasetType;
    lifecycle: string;
    owner: string;
    system?: string;
    /**
     * Where the data is read from: a URL, an absolute path, or a `./` or
     * `../` path that is resolved against the entity's location during
     * processing.
     */
    location: string;
    format: DatasetFormat;
    schema?: {
      /** The columns, with unique names. */
      columns: DatasetColumn[];
      /** The label column, one of `columns`. */
      target?: string;
    };
  };
}

/**
 * The JSON schema of {@link DatasetEntityV1alpha1}.
 *
 * @public
 */
export const datasetEntityV1alpha1Schema = schema;

/**
 * Validates {@link DatasetEntityV1alpha1} entities. `check` resolves to false
 * for other kinds and throws an `InputError` naming the kind, the entity and
 * the field for an invalid Dataset.
 *
 * @public
 */
export const datasetEntityV1alpha1Validator: MlopsKindValidator =
  createMlopsKindValidator(DATASET_KIND, schema);

/**
 * Whether the entity is a {@link DatasetEntityV1alpha1}.
 *
 * @public
 */
export function isDatasetEntity(
  entity: Entity,
): entity is DatasetEntityV1alpha1 {
  return (
    entity.apiVersion === MLOPS_API_VERSION_V1ALPHA1 &&
    entity.kind === DATASET_KIND
  );
}
