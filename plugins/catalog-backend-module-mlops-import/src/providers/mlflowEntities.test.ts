import { MlflowRegisteredModel } from '@synth/plugin-mlops-node';
import { ImportReport } from '../lib/ImportReport';
import { mlflowModelToEntity, MlflowMappingContext } from './mlflowEntities';

function model(
  overrides: Partial<MlflowRegisteredModel> = {},
): MlflowRegisteredModel {
  return {
    name: 'churn-classifier',
    tags: [],
    aliases: [],
    latestVersions: [],
    ...overrides,
  };
}

function context(
  overrides: Partial<MlflowMappingContext> = {},
): MlflowMappingContext {
  return {
    settings: {
      namespace: 'default',
      defaultOwner: 'group:default/ml-platform',
      defaultLifecycle: 'production',
      defaultType: 'other',
      tagKeys: {
        owner: 'owner',
        lifecycle: 'lifecycle',
        type: 'type',
        system: 'system',
        framework: 'framework',
      },
    },
    baseUrl: 'http://mlflow:5000',
    uiUrl: 'https://mlflow.example.com',
    experimentOfRun: new Map([['run-3', '12']]),
    report: new ImportReport(),
    ...overrides,
  };
}

describe('mlflowModelToEntity', () => {
  it('maps a registered model to an MLModel with versions, aliases and the experiment', () => {
    const entity = mlflowModelToEntity(
      model({
        description: '  Predicts churn.  ',
        tags: [
          { key: 'owner', value: 'customer-ml' },
          { key: 'type', value: 'Classification' },
          { key: 'lifecycle', value: 'experimental' },
          { key: 'system', value: 'customer-intelligence' },
          { key: 'framework', value: 'xgboost' },
          { key: 'team', value: 'Customer ML' },
          { key: 'gdpr', value: '' },
          { key: 'mlflow.source.type', value: 'JOB' },
        ],
        aliases: [
          { alias: 'champion', version: '2' },
          { alias: 'challenger', version: '3' },
        ],
        latestVersions: [
          {
            name: 'churn-classifier',
            version: '2',
            runId: 'run-2',
            aliases: [],
            tags: [],
          },
          {
            name: 'churn-classifier',
            version: '3',
            runId: 'run-3',
            aliases: [],
            tags: [],
          },
        ],
      }),
      context(),
    );
    expect(entity).toEqual({
      apiVersion: 'mlops.synth.dev/v1alpha1',
      kind: 'MLModel',
      metadata: {
        name: 'churn-classifier',
        namespace: 'default',
        description: 'Predicts churn.',
        tags: ['gdpr', 'team:customer-ml'],
        annotations: {
          'backstage.io/managed-by-location':
            'url:https://mlflow.example.com/#/models/churn-classifier',
          'backstage.io/managed-by-origin-location': 'url:http://mlflow:5000',
          'mlops.synth.dev/mlflow-registered-model': 'churn-classifier',
          'mlops.synth.dev/mlflow-experiment': '12',
          'mlops.synth.dev/mlflow-latest-version': '3',
          'mlops.synth.dev/mlflow-aliases': 'challenger=3,champion=2',
        },
        links: [
          {
            url: 'https://mlflow.example.com/#/models/churn-classifier',
            title: 'MLflow registered model',
          },
          {
            url: 'https://mlflow.example.com/#/experiments/12',
            title: 'MLflow experiment',
          },
        ],
      },
      spec: {
        type: 'classification',
        lifecycle: 'experimental',
        owner: 'group:default/customer-ml',
        system: 'system:default/customer-intelligence',
        framework: 'xgboost',
      },
    });
  });

  it('uses the defaults for a model without tags, versions or experiment', () => {
    const entity = mlflowModelToEntity(model(), context());
    expect(entity?.spec).toEqual({
      type: 'other',
      lifecycle: 'production',
      owner: 'group:default/ml-platform',
    });
    expect(Object.keys(entity!.metadata).sort()).toEqual([
      'annotations',
      'links',
      'name',
      'namespace',
    ]);
    expect(entity!.metadata.links).toHaveLength(1);
  });

  it('keeps the owner tag as a user reference and in another namespace', () => {
    const user = mlflowModelToEntity(
      model({ tags: [{ key: 'owner', value: 'user:priya.nair' }] }),
      context(),
    );
    expect(user?.spec.owner).toBe('user:default/priya.nair');
    const other = mlflowModelToEntity(
      model({ tags: [{ key: 'owner', value: 'group:ml/risk' }] }),
      context(),
    );
    expect(other?.spec.owner).toBe('group:ml/risk');
  });

  it('replaces malformed tags with defaults and reports them', () => {
    const report = new ImportReport();
    const entity = mlflowModelToEntity(
      model({
        tags: [
          { key: 'owner', value: 'Customer ML Team!' },
          { key: 'type', value: 'clustering' },
          { key: 'system', value: 'component:web' },
          { key: 'lifecycle', value: ' ' },
          { key: '__', value: '' },
        ],
      }),
      context({ report }),
    );
    expect(entity?.spec).toEqual({
      type: 'other',
      lifecycle: 'production',
      owner: 'group:default/ml-platform',
    });
    expect(entity?.metadata.tags).toBeUndefined();
    expect(report.adjusted).toEqual([
      "tag 'type' of MLflow model 'churn-classifier': 'clustering' is not one of classification, regression, ranking, forecasting, embedding, llm, other; using 'other'",
      "tag 'owner' of MLflow model 'churn-classifier': 'Customer ML Team!' is not a reference to a Group or User; using group:default/ml-platform",
      "tag 'lifecycle' of MLflow model 'churn-classifier': must be 1 to 100 characters; using 'production'",
      "tag 'system' of MLflow model 'churn-classifier': 'component:web' is not a reference to a System; left out",
      "tag '__' of MLflow model 'churn-classifier': cannot be written as a catalog tag and was dropped",
    ]);
  });

  it('sanitises a name that is not an entity name and keeps the original as title', () => {
    const report = new ImportReport();
    const entity = mlflowModelToEntity(
      model({ name: 'Churn Model (EU)' }),
      context({ report }),
    );
    expect(entity?.metadata.name).toMatch(/^Churn-Model-EU-[0-9a-f]{6}$/);
    expect(entity?.metadata.title).toBe('Churn Model (EU)');
    expect(
      entity?.metadata.annotations?.['mlops.synth.dev/mlflow-registered-model'],
    ).toBe('Churn Model (EU)');
    expect(
      entity?.metadata.annotations?.['backstage.io/managed-by-location'],
    ).toBe('url:https://mlflow.example.com/#/models/Churn%20Model%20(EU)');
    expect(report.sanitized).toEqual([
      `MLflow model 'Churn Model (EU)' → mlmodel:default/${entity?.metadata.name.toLowerCase()}`,
    ]);
  });

  it('skips and reports a model whose name has no letter or digit', () => {
    const report = new ImportReport();
    expect(
      mlflowModelToEntity(model({ name: 'модель' }), context({ report })),
    ).toBeUndefined();
    expect(report.skipped).toEqual([
      "MLflow model 'модель': its name has no letter or digit to build an entity name from",
    ]);
  });

  it('bounds descriptions, tags and aliases', () => {
    const report = new ImportReport();
    const entity = mlflowModelToEntity(
      model({
        description: 'd'.repeat(5000),
        tags: Array.from({ length: 25 }, (_, i) => ({
          key: `k${String(i).padStart(2, '0')}`,
          value: 'v',
        })),
        aliases: Array.from({ length: 60 }, (_, i) => ({
          alias: `a${String(i).padStart(2, '0')}`,
          version: '1',
        })),
      }),
      context({ report }),
    );
    expect(entity?.metadata.description).toHaveLength(4000);
    expect(entity?.metadata.tags).toHaveLength(20);
    expect(
      entity?.metadata.annotations?.['mlops.synth.dev/mlflow-aliases'].split(
        ',',
      ),
    ).toHaveLength(50);
    expect(report.adjusted).toEqual([
      "MLflow model 'churn-classifier': has 60 aliases; kept the first 50",
      "MLflow model 'churn-classifier': has 25 tags; kept the first 20",
    ]);
  });
});
