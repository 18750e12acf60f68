import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  DeferredEntity,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  MlflowSeeder,
  startMlflowServer,
  TestMlflowServer,
} from '@synth/plugin-mlops-node/testUtils';
import { readMlflowProviderConfigs } from '../config';
import { RecordingLogger } from '../__testUtils__/logger';
import { MlflowEntityProvider } from './MlflowEntityProvider';

// Longer than the engine helpers' own start budget (ENGINE_START_BUDGET_MS), so they clean up first.
jest.setTimeout(900_000);

type Mutation = { type: 'full'; entities: DeferredEntity[] };

/** A hand-written MLModel the catalog already has from a YAML file. */
const yamlModel: Entity = {
  apiVersion: 'mlops.synth.dev/v1alpha1',
  kind: 'MLModel',
  metadata: {
    name: 'fraud-scorer',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': 'file:/catalog/models/risk-ml.yaml',
      'backstage.io/managed-by-origin-location': 'file:/catalog/all.yaml',
    },
  },
  spec: { type: 'classification', lifecycle: 'production', owner: 'risk-ml' },
};

function createProvider(
  mlflowUrl: string,
  options: {
    extraConfig?: Record<string, unknown>;
    catalogEntities?: Entity[];
    catalog?: ReturnType<typeof catalogServiceMock>;
  } = {},
) {
  const [settings] = readMlflowProviderConfigs(
    new ConfigReader({
      catalog: {
        providers: {
          mlflow: {
            test: {
              baseUrl: mlflowUrl,
              uiUrl: 'https://mlflow.example.com',
              defaultOwner: 'ml-platform',
              schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
              ...options.extraConfig,
            },
          },
        },
      },
    }),
  );
  const logger = new RecordingLogger();
  const taskRunner = { run: jest.fn() };
  const scheduler = mockServices.scheduler.mock({
    createScheduledTaskRunner: jest.fn().mockReturnValue(taskRunner),
  });
  const provider = MlflowEntityProvider.fromConfig(settings, {
    logger,
    scheduler,
    catalog:
      options.catalog ??
      catalogServiceMock({ entities: options.catalogEntities ?? [yamlModel] }),
    auth: mockServices.auth(),
  });
  const mutations: Mutation[] = [];
  const connection: EntityProviderConnection = {
    applyMutation: jest.fn(async mutation => {
      mutations.push(mutation as Mutation);
    }),
    refresh: jest.fn(),
  };
  return { provider, logger, taskRunner, scheduler, connection, mutations };
}

const byName = (mutation: Mutation) =>
  Object.fromEntries(
    mutation.entities.map(({ entity }) => [entity.metadata.name, entity]),
  );

describe('MlflowEntityProvider against a real MLflow server', () => {
  let mlflow: TestMlflowServer;
  let seed: MlflowSeeder;
  let experimentId: string;
  let firstRun: string;
  let secondRun: string;

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    seed = new MlflowSeeder(mlflow.url);
    experimentId = await seed.createExperiment('customer-ml/churn');
    firstRun = await seed.createRun({
      experimentId,
      startTime: 1_700_000_000_000,
    });
    secondRun = await seed.createRun({
      experimentId,
      startTime: 1_700_000_100_000,
    });
    await seed.createRegisteredModel('churn-classifier', {
      description: 'Predicts churn.',
      tags: {
        owner: 'customer-ml',
        type: 'classification',
        team: 'crm',
        'mlflow.internal': 'x',
      },
    });
    await seed.createModelVersion('churn-classifier', firstRun);
    await seed.createModelVersion('churn-classifier', secondRun);
    await seed.setAlias('churn-classifier', 'champion', '1');
    await seed.createRegisteredModel('Fraud Detector', {
      tags: { owner: 'Risk ML!', type: 'clustering' },
    });
    await seed.createRegisteredModel('модель');
    await seed.createRegisteredModel('fraud-scorer');
  });

  afterAll(async () => {
    await mlflow?.stop();
  });

  it('imports on the schedule it was configured with', async () => {
    const { provider, taskRunner, scheduler, connection, mutations } =
      createProvider(mlflow.url);
    expect(scheduler.createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { minutes: 30 },
      timeout: { minutes: 5 },
    });
    await provider.connect(connection);
    expect(taskRunner.run).toHaveBeenCalledWith({
      id: 'MlflowEntityProvider:test:refresh',
      fn: expect.any(Function),
    });
    await taskRunner.run.mock.calls[0][0].fn(new AbortController().signal);
    expect(mutations).toHaveLength(1);
    expect(mutations[0].type).toBe('full');
  });

  describe('import, change upstream, re-import, delete upstream', () => {
    const setup = {} as ReturnType<typeof createProvider>;

    beforeAll(async () => {
      Object.assign(setup, createProvider(mlflow.url));
      await setup.provider.connect(setup.connection);
    });

    it('imports the registered models as MLModels', async () => {
      const result = await setup.provider.refresh();
      expect(result.ok).toBe(true);
      const [mutation] = setup.mutations;
      expect(mutation.type).toBe('full');
      expect(mutation.entities.every(e => e.locationKey === undefined)).toBe(
        true,
      );
      const names = mutation.entities.map(e => e.entity.metadata.name);
      // Sorted by entity reference, which the catalog writes in lower case.
      expect(names).toEqual([
        'churn-classifier',
        expect.stringMatching(/^Fraud-Detector-[0-9a-f]{6}$/),
      ]);
      const entities = byName(mutation);
      expect(entities['churn-classifier']).toEqual({
        apiVersion: 'mlops.synth.dev/v1alpha1',
        kind: 'MLModel',
        metadata: {
          name: 'churn-classifier',
          namespace: 'default',
          description: 'Predicts churn.',
          tags: ['team:crm'],
          annotations: {
            'backstage.io/managed-by-location':
              'url:https://mlflow.example.com/#/models/churn-classifier',
            'backstage.io/managed-by-origin-location': `url:${mlflow.url}`,
            'mlops.synth.dev/mlflow-registered-model': 'churn-classifier',
            'mlops.synth.dev/mlflow-experiment': experimentId,
            'mlops.synth.dev/mlflow-latest-version': '2',
            'mlops.synth.dev/mlflow-aliases': 'champion=1',
          },
          links: [
            {
              url: 'https://mlflow.example.com/#/models/churn-classifier',
              title: 'MLflow registered model',
            },
            {
              url: `https://mlflow.example.com/#/experiments/${experimentId}`,
              title: 'MLflow experiment',
            },
          ],
        },
        spec: {
          type: 'classification',
          lifecycle: 'production',
          owner: 'group:default/customer-ml',
        },
      });
      const fraud = entities[names[1]];
      expect(fraud.metadata.title).toBe('Fraud Detector');
      expect(fraud.spec).toEqual({
        type: 'other',
        lifecycle: 'production',
        owner: 'group:default/ml-platform',
      });

      const warnings = setup.logger.at('warn');
      expect(warnings).toEqual([
        "MlflowEntityProvider:test: skipped 1: MLflow model 'модель': its name has no letter or digit to build an entity name from",
        `MlflowEntityProvider:test: renamed 1 that are not valid entity names: MLflow model 'Fraud Detector' → mlmodel:default/${names[1].toLowerCase()}`,
        "MlflowEntityProvider:test: adjusted 2 values: tag 'type' of MLflow model 'Fraud Detector': 'clustering' is not one of classification, regression, ranking, forecasting, embedding, llm, other; using 'other'; tag 'owner' of MLflow model 'Fraud Detector': 'Risk ML!' is not a reference to a Group or User; using group:default/ml-platform",
        'MlflowEntityProvider:test: left 1 to the entities of the same name that the catalog already has from another source: mlmodel:default/fraud-scorer (file:/catalog/all.yaml)',
      ]);
      expect(setup.logger.at('info')).toEqual([
        expect.stringMatching(
          /^MlflowEntityProvider:test: imported 2 entities in \d+ ms$/,
        ),
      ]);
      expect(setup.logger.at('error')).toEqual([]);
    });

    it('applies an identical mutation while the registry is unchanged, and logs nothing new', async () => {
      setup.logger.clear();
      await setup.provider.refresh();
      expect(setup.mutations).toHaveLength(2);
      expect(setup.mutations[1]).toEqual(setup.mutations[0]);
      expect(JSON.stringify(setup.mutations[1])).toBe(
        JSON.stringify(setup.mutations[0]),
      );
      expect(setup.logger.at('warn')).toEqual([]);
      expect(setup.logger.at('info')).toEqual([]);
    });

    it('follows changes of the registry', async () => {
      const otherExperiment = await seed.createExperiment(
        'customer-ml/churn-v2',
      );
      const newRun = await seed.createRun({
        experimentId: otherExperiment,
        startTime: 1_700_000_200_000,
      });
      await seed.createModelVersion('churn-classifier', newRun);
      await seed.setAlias('churn-classifier', 'challenger', '3');
      await seed.updateModelDescription(
        'churn-classifier',
        'Predicts churn in 30 days.',
      );
      await seed.setModelTag('churn-classifier', 'lifecycle', 'experimental');
      await seed.deleteModelTag('churn-classifier', 'team');
      await seed.setModelTag('Fraud Detector', 'owner', 'risk-ml');

      await setup.provider.refresh();
      const entities = byName(setup.mutations[2]);
      const churn = entities['churn-classifier'];
      expect(churn.metadata.description).toBe('Predicts churn in 30 days.');
      expect(churn.metadata.tags).toBeUndefined();
      expect(churn.metadata.annotations).toMatchObject({
        'mlops.synth.dev/mlflow-experiment': otherExperiment,
        'mlops.synth.dev/mlflow-latest-version': '3',
        'mlops.synth.dev/mlflow-aliases': 'challenger=3,champion=1',
      });
      expect(churn.spec).toMatchObject({ lifecycle: 'experimental' });
      const fraud = Object.values(entities).find(
        e => e.metadata.title === 'Fraud Detector',
      )!;
      expect(fraud.spec).toMatchObject({ owner: 'group:default/risk-ml' });
      expect(setup.logger.at('warn')).toEqual([
        "MlflowEntityProvider:test: skipped 1: MLflow model 'модель': its name has no letter or digit to build an entity name from",
        expect.stringContaining('renamed 1'),
        "MlflowEntityProvider:test: adjusted 1 values: tag 'type' of MLflow model 'Fraud Detector': 'clustering' is not one of classification, regression, ranking, forecasting, embedding, llm, other; using 'other'",
        expect.stringContaining('left 1 to the entities of the same name'),
      ]);
    });

    it('removes what disappears upstream', async () => {
      await seed.deleteRegisteredModel('Fraud Detector');
      await setup.provider.refresh();
      expect(
        setup.mutations[3].entities.map(e => e.entity.metadata.name),
      ).toEqual(['churn-classifier']);
    });

    it('keeps the last good state when the catalog cannot be asked', async () => {
      const catalog = catalogServiceMock.mock({
        getEntitiesByRefs: jest
          .fn()
          .mockRejectedValue(new Error('catalog down')),
      });
      const { provider, connection, mutations, logger } = createProvider(
        mlflow.url,
        { catalog },
      );
      await provider.connect(connection);
      const result = await provider.refresh();
      expect(result).toEqual({ ok: false, error: new Error('catalog down') });
      expect(mutations).toEqual([]);
      expect(logger.at('error')).toEqual([
        'MlflowEntityProvider:test: import failed, the catalog keeps what it had: catalog down',
      ]);
    });
  });

  it('imports only the models matching the filter', async () => {
    const { provider, connection, mutations } = createProvider(mlflow.url, {
      extraConfig: { filter: "name LIKE 'churn%'" },
    });
    await provider.connect(connection);
    await provider.refresh();
    expect(mutations[0].entities.map(e => e.entity.metadata.name)).toEqual([
      'churn-classifier',
    ]);
  });

  it('refuses to import more than maxEntities and changes nothing', async () => {
    const { provider, connection, mutations, logger } = createProvider(
      mlflow.url,
      { extraConfig: { maxEntities: 1 } },
    );
    await provider.connect(connection);
    const result = await provider.refresh();
    expect(result.ok).toBe(false);
    expect(mutations).toEqual([]);
    expect(logger.at('error')).toEqual([
      'MlflowEntityProvider:test: import failed, the catalog keeps what it had: MlflowEntityProvider:test: MLflow registered models: more than 1 items; raise the limit or narrow the selection',
    ]);
  });

  it('keeps the last good state when MLflow goes away, with one clear error', async () => {
    const { provider, connection, mutations, logger } = createProvider(
      mlflow.url,
    );
    await provider.connect(connection);
    expect((await provider.refresh()).ok).toBe(true);
    await mlflow.stop();

    const result = await provider.refresh();
    expect(result.ok).toBe(false);
    expect(mutations).toHaveLength(1);
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^MlflowEntityProvider:test: import failed, the catalog keeps the 1 entities of the last successful run: MLflow at ${mlflow.url}: GET /api/2.0/mlflow/registered-models/search failed: ECONNREFUSED`,
      ),
    );
  });
});
