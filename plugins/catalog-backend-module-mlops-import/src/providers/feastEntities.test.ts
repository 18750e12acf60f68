import {
  Entity,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { mlopsEntityValidators } from '@synth/plugin-mlops-common';
import {
  FeastRegistrySnapshot,
  FeastSnapshotFeatureView,
  FeastSnapshotProject,
} from '@synth/plugin-mlops-node';
import { ImportReport } from '../lib/ImportReport';
import {
  FeastMappingContext,
  feastSnapshotToEntities,
  featureTypeOf,
} from './feastEntities';

function view(
  overrides: Partial<FeastSnapshotFeatureView> = {},
): FeastSnapshotFeatureView {
  return {
    name: 'customer_profile',
    type: 'featureView',
    tags: {},
    entities: ['customer'],
    features: [
      {
        name: 'tenure_months',
        valueType: 'INT64',
        description: 'Months',
        tags: {},
      },
    ],
    batchSource: 'customer_snapshots',
    ...overrides,
  };
}

function project(
  overrides: Partial<FeastSnapshotProject> = {},
): FeastSnapshotProject {
  return {
    name: 'synth_demo',
    tags: {},
    entities: [
      {
        name: 'customer',
        joinKey: 'customer_id',
        valueType: 'INT64',
        tags: {},
      },
      { name: 'product', joinKey: 'product_id', tags: {} },
    ],
    dataSources: [
      {
        name: 'customer_snapshots',
        type: 'BATCH_FILE',
        tags: {},
        timestampField: 'event_timestamp',
        uri: '/data/customers.parquet',
        fileFormat: 'parquet',
      },
    ],
    featureViews: [view()],
    ...overrides,
  };
}

function context(
  overrides: Partial<FeastMappingContext['settings']> = {},
  report = new ImportReport(),
): FeastMappingContext {
  return {
    settings: {
      namespace: 'default',
      defaultOwner: 'group:default/ml-platform',
      defaultLifecycle: 'production',
      systemPerProject: true,
      tagKeys: {
        owner: 'owner',
        lifecycle: 'lifecycle',
        system: 'system',
        type: 'type',
      },
      ...overrides,
    },
    baseUrl: 'http://feast:8888/api/v1',
    uiUrl: 'http://feast:8888',
    report,
  };
}

const map = (snapshot: FeastRegistrySnapshot, ctx = context()) =>
  feastSnapshotToEntities(snapshot, ctx);
const refs = (entities: Entity[]) => entities.map(e => stringifyEntityRef(e));

async function expectValid(entities: Entity[]) {
  for (const entity of entities) {
    const validators = [
      ...mlopsEntityValidators,
      systemEntityV1alpha1Validator,
    ];
    let valid = false;
    for (const v of validators) {
      valid = valid || (await v.check(entity));
    }
    expect(valid).toBe(true);
  }
}

describe('feastSnapshotToEntities', () => {
  it('maps a project to a System, its file sources to Datasets and its features to Features', async () => {
    const entities = map({
      projects: [
        project({
          description: 'Demo features',
          tags: { owner: 'customer-ml' },
          featureViews: [
            view({
              description: 'Profile',
              tags: { team: 'crm', lifecycle: 'experimental' },
              features: [
                {
                  name: 'contract_type',
                  valueType: 'STRING',
                  tags: { pii: 'false' },
                },
                {
                  name: 'tenure_months',
                  valueType: 'INT64',
                  description: 'Months',
                  tags: {},
                },
              ],
            }),
          ],
        }),
      ],
    });
    expect(refs(entities)).toEqual([
      'system:default/synth_demo',
      'dataset:default/synth_demo.customer_snapshots',
      'feature:default/synth_demo.customer_profile.contract_type',
      'feature:default/synth_demo.customer_profile.tenure_months',
    ]);
    const [system, dataset, contract, tenure] = entities;
    expect(system).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: {
        name: 'synth_demo',
        namespace: 'default',
        description: 'Demo features',
        annotations: {
          'backstage.io/managed-by-location':
            'url:http://feast:8888/api/v1/projects/synth_demo',
          'backstage.io/managed-by-origin-location':
            'url:http://feast:8888/api/v1',
          'mlops.synth.dev/feast-project': 'synth_demo',
        },
        links: [
          { url: 'http://feast:8888/p/synth_demo', title: 'Feast project' },
        ],
      },
      spec: { owner: 'group:default/customer-ml' },
    });
    expect(dataset.spec).toEqual({
      type: 'tabular',
      lifecycle: 'production',
      owner: 'group:default/customer-ml',
      system: 'system:default/synth_demo',
      location: '/data/customers.parquet',
      format: 'parquet',
      schema: {
        columns: [
          { name: 'event_timestamp', type: 'datetime' },
          { name: 'customer_id', type: 'categorical' },
          { name: 'contract_type', type: 'categorical' },
          { name: 'tenure_months', type: 'numerical', description: 'Months' },
        ],
      },
    });
    expect(dataset.metadata.title).toBe('customer_snapshots');
    expect(contract.metadata).toMatchObject({
      title: 'customer_profile:contract_type',
      tags: ['pii:false', 'team:crm'],
      links: [
        {
          url: 'http://feast:8888/p/synth_demo/feature-view/customer_profile/feature/contract_type',
          title: 'Feast feature',
        },
      ],
    });
    expect(contract.spec).toEqual({
      type: 'categorical',
      lifecycle: 'experimental',
      owner: 'group:default/customer-ml',
      system: 'system:default/synth_demo',
      source: 'dataset:default/synth_demo.customer_snapshots',
      entity: { name: 'customer', joinKey: 'customer_id' },
      group: 'customer_profile',
    });
    expect(tenure.metadata.description).toBe('Months');
    await expectValid(entities);
  });

  it('takes owners from the most specific tag, then Feast owner fields that are references', () => {
    const report = new ImportReport();
    const entities = map(
      {
        projects: [
          project({
            owner: 'platform@example.com',
            dataSources: [
              {
                ...project().dataSources[0],
                owner: 'data-eng',
              },
            ],
            featureViews: [
              view({
                tags: { owner: 'not a ref!' },
                features: [
                  {
                    name: 'a',
                    valueType: 'INT64',
                    tags: { owner: 'user:lena.fischer' },
                  },
                  { name: 'b', valueType: 'INT64', tags: {} },
                ],
              }),
            ],
          }),
        ],
      },
      context({}, report),
    );
    const owners = Object.fromEntries(
      entities.map(e => [e.metadata.name, (e.spec as { owner: string }).owner]),
    );
    expect(owners).toEqual({
      synth_demo: 'group:default/ml-platform',
      'synth_demo.customer_snapshots': 'group:default/data-eng',
      'synth_demo.customer_profile.a': 'user:default/lena.fischer',
      'synth_demo.customer_profile.b': 'group:default/ml-platform',
    });
    expect(report.adjusted).toEqual([
      "tag 'owner' of Feast feature view 'synth_demo/customer_profile': 'not a ref!' is not a reference to a Group or User; using group:default/ml-platform",
    ]);
  });

  it('reports what it cannot import and keeps the lineage to a hand-written Dataset', async () => {
    const report = new ImportReport();
    const entities = map(
      {
        projects: [
          project({
            dataSources: [
              {
                name: 'transactions',
                type: 'BATCH_BIGQUERY',
                tags: {},
              },
              {
                name: 'relative',
                type: 'BATCH_FILE',
                tags: {},
                uri: 'data/relative.parquet',
                fileFormat: 'parquet',
              },
              {
                name: 'lake',
                type: 'BATCH_FILE',
                tags: {},
                uri: 's3://lake/x',
                fileFormat: 'delta',
              },
            ],
            featureViews: [
              view({ name: 'spend', batchSource: 'transactions' }),
              view({
                name: 'on_the_fly',
                type: 'onDemandFeatureView',
                batchSource: undefined,
              }),
              view({ name: 'global_stats', entities: [] }),
            ],
          }),
        ],
      },
      context({ systemPerProject: false }, report),
    );
    expect(refs(entities)).toEqual([
      'feature:default/synth_demo.spend.tenure_months',
    ]);
    expect((entities[0].spec as { source: string }).source).toBe(
      'dataset:default/synth_demo.transactions',
    );
    expect(entities[0].spec).not.toHaveProperty('system');
    expect(report.skipped).toEqual([
      "Feast data source 'synth_demo/transactions': a BATCH_BIGQUERY source has no file location and format the Dataset kind can describe; no Dataset is imported, and its Features reference dataset:default/synth_demo.transactions, which a hand-written Dataset of that name provides",
      "Feast data source 'synth_demo/relative': its path 'data/relative.parquet' is relative to the feature repository; set repoPath to resolve it; no Dataset is imported, and its Features reference dataset:default/synth_demo.relative, which a hand-written Dataset of that name provides",
      "Feast data source 'synth_demo/lake': its delta files are not one of the Dataset formats (csv, parquet, jsonl); no Dataset is imported, and its Features reference dataset:default/synth_demo.lake, which a hand-written Dataset of that name provides",
      "Feast feature view 'synth_demo/on_the_fly': it is of type onDemandFeatureView and has no batch source, so there is no Dataset for Feature.spec.source; its 1 features are not imported",
      "Feast feature view 'synth_demo/global_stats': it has no entity, and Feature.spec.entity is required; its 1 features are not imported",
    ]);
    await expectValid(entities);
  });

  it('resolves relative file paths against repoPath, a directory or a URL', () => {
    const snapshot = {
      projects: [
        project({
          dataSources: [
            {
              name: 'customer_snapshots',
              type: 'BATCH_FILE',
              tags: {},
              uri: 'data/customers.parquet',
              fileFormat: 'parquet',
            },
          ],
        }),
      ],
    };
    const location = (repoPath: string) =>
      (
        map(snapshot, context({ repoPath })).find(e => e.kind === 'Dataset')!
          .spec as { location: string }
      ).location;
    expect(location('/srv/feature_repo')).toBe(
      '/srv/feature_repo/data/customers.parquet',
    );
    expect(location('https://github.com/acme/features/blob/main/repo')).toBe(
      'https://github.com/acme/features/blob/main/repo/data/customers.parquet',
    );
  });

  it('attaches everything to the System a project tag names, without importing one', () => {
    const entities = map({
      projects: [project({ tags: { system: 'customer-intelligence' } })],
    });
    expect(refs(entities)).toEqual([
      'dataset:default/synth_demo.customer_snapshots',
      'feature:default/synth_demo.customer_profile.tenure_months',
    ]);
    for (const entity of entities) {
      expect((entity.spec as { system: string }).system).toBe(
        'system:default/customer-intelligence',
      );
    }
  });

  it('uses the first entity of a multi-entity view and the type tag of a feature', () => {
    const report = new ImportReport();
    const [feature] = map(
      {
        projects: [
          project({
            featureViews: [
              view({
                entities: ['customer', 'product'],
                features: [
                  {
                    name: 'code',
                    valueType: 'INT64',
                    tags: { type: 'Categorical' },
                  },
                  { name: 'odd', valueType: 'INT64', tags: { type: 'colour' } },
                ],
              }),
            ],
          }),
        ],
      },
      context({ systemPerProject: false }, report),
    ).filter(e => e.kind === 'Feature');
    expect(feature.spec).toMatchObject({
      type: 'categorical',
      entity: { name: 'customer', joinKey: 'customer_id' },
    });
    expect(report.adjusted).toEqual([
      "tag 'type' of Feast feature 'synth_demo/customer_profile:odd': 'colour' is not one of numerical, categorical, boolean, text, datetime, embedding; using 'numerical'",
    ]);
  });

  it('skips a view whose entity is not an identifier, and leaves out a group that is not one', async () => {
    const report = new ImportReport();
    const entities = map(
      {
        projects: [
          project({
            entities: [
              { name: 'customer', joinKey: 'customer_id', tags: {} },
              { name: 'store-id', joinKey: 'store-id', tags: {} },
            ],
            featureViews: [
              view({ name: 'by-store', entities: ['store-id'] }),
              view({ name: 'customer-profile' }),
            ],
          }),
        ],
      },
      context({ systemPerProject: false }, report),
    );
    const features = entities.filter(e => e.kind === 'Feature');
    expect(refs(features)).toEqual([
      'feature:default/synth_demo.customer-profile.tenure_months',
    ]);
    expect(features[0].spec).not.toHaveProperty('group');
    expect(report.skipped).toEqual([
      "Feast feature view 'synth_demo/by-store': its entity 'store-id' (join key 'store-id') is not a name Feature.spec.entity accepts (^[A-Za-z_][A-Za-z0-9_]*$); its features are not imported",
    ]);
    expect(report.adjusted).toEqual([
      "Feast feature view 'synth_demo/customer-profile': its name is not a valid Feature.spec.group; left out",
    ]);
    await expectValid(entities);
  });

  it('gives the same entities for the same snapshot', () => {
    const snapshot = { projects: [project()] };
    expect(JSON.stringify(map(snapshot))).toBe(JSON.stringify(map(snapshot)));
  });
});

describe('featureTypeOf', () => {
  it.each([
    ['INT64', 'numerical'],
    ['DOUBLE', 'numerical'],
    ['BOOL', 'boolean'],
    ['UNIX_TIMESTAMP', 'datetime'],
    ['STRING', 'categorical'],
    ['FLOAT_LIST', 'embedding'],
    ['BYTES', 'text'],
    [undefined, 'text'],
  ])('maps %s to %s', (valueType, type) => {
    expect(featureTypeOf(valueType)).toBe(type);
  });
});
