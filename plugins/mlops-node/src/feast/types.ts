/**
 * Timestamps Feast keeps per object.
 *
 * @public
 */
export type FeastMeta = {
  createdTimestamp?: string;
  lastUpdatedTimestamp?: string;
};

/**
 * A Feast project as the registry REST API returns it.
 *
 * @public
 */
export type FeastProject = {
  spec: {
    name: string;
    description?: string;
    tags?: Record<string, string>;
    owner?: string;
  };
  meta?: FeastMeta;
};

/**
 * A Feast entity (a business entity and its join key).
 *
 * @public
 */
export type FeastEntity = {
  spec: {
    name: string;
    joinKey?: string;
    valueType?: string;
    description?: string;
    tags?: Record<string, string>;
    owner?: string;
  };
  meta?: FeastMeta;
};

/**
 * A Feast data source. Only the common fields are typed; the options of
 * each source type (`fileOptions`, `bigqueryOptions`, `kafkaOptions`, …) stay
 * as Feast sends them.
 *
 * @public
 */
export type FeastDataSource = {
  name: string;
  /** e.g. `BATCH_FILE`, `BATCH_BIGQUERY`, `STREAM_KAFKA`, `PUSH_SOURCE`. */
  type?: string;
  description?: string;
  tags?: Record<string, string>;
  owner?: string;
  timestampField?: string;
  fileOptions?: {
    uri?: string;
    fileFormat?: Record<string, unknown>;
  };
  dataSourceClassType?: string;
  meta?: FeastMeta;
  [options: string]: unknown;
};

/**
 * A field of a feature view: a feature or an entity column.
 *
 * @public
 */
export type FeastField = {
  name: string;
  /** Feast's value type, e.g. `INT64`, `FLOAT`, `STRING`, `FLOAT_LIST`. */
  valueType?: string;
  description?: string;
  tags?: Record<string, string>;
};

/**
 * A feature view, stream feature view or on-demand feature view.
 *
 * @public
 */
export type FeastFeatureView = {
  /** `featureView`, `streamFeatureView` or `onDemandFeatureView`. */
  type: string;
  spec: {
    name: string;
    entities?: string[];
    features?: FeastField[];
    entityColumns?: FeastField[];
    description?: string;
    tags?: Record<string, string>;
    owner?: string;
    ttl?: string;
    online?: boolean;
    batchSource?: FeastDataSource;
    streamSource?: FeastDataSource;
  };
  meta?: FeastMeta;
};

/**
 * A field in a {@link FeastRegistrySnapshot}.
 *
 * @public
 */
export type FeastSnapshotField = {
  name: string;
  valueType?: string;
  description?: string;
  tags: Record<string, string>;
};

/**
 * A feature view in a {@link FeastRegistrySnapshot}.
 *
 * @public
 */
export type FeastSnapshotFeatureView = {
  name: string;
  type: string;
  description?: string;
  tags: Record<string, string>;
  owner?: string;
  /** The Feast entities the view is keyed by, in the view's order. */
  entities: string[];
  features: FeastSnapshotField[];
  /** The name of the batch source, when the view has one. */
  batchSource?: string;
  /** The name of the stream source, when the view has one. */
  streamSource?: string;
  online?: boolean;
  ttl?: string;
};

/**
 * A data source in a {@link FeastRegistrySnapshot}.
 *
 * @public
 */
export type FeastSnapshotDataSource = {
  name: string;
  type?: string;
  description?: string;
  tags: Record<string, string>;
  owner?: string;
  timestampField?: string;
  /** The file or object URI of a `BATCH_FILE` source, as registered. */
  uri?: string;
  /** `parquet`, `delta` or another format name of a file source. */
  fileFormat?: string;
};

/**
 * An entity in a {@link FeastRegistrySnapshot}.
 *
 * @public
 */
export type FeastSnapshotEntity = {
  name: string;
  joinKey: string;
  valueType?: string;
  description?: string;
  tags: Record<string, string>;
  owner?: string;
};

/**
 * One project of a {@link FeastRegistrySnapshot}.
 *
 * @public
 */
export type FeastSnapshotProject = {
  name: string;
  description?: string;
  tags: Record<string, string>;
  owner?: string;
  entities: FeastSnapshotEntity[];
  dataSources: FeastSnapshotDataSource[];
  featureViews: FeastSnapshotFeatureView[];
};

/**
 * The registry content the catalog cares about, normalised and sorted by
 * name at every level so that an unchanged registry gives an identical
 * snapshot. Feast's internal `__dummy` entity is left out.
 *
 * @public
 */
export type FeastRegistrySnapshot = {
  projects: FeastSnapshotProject[];
};
