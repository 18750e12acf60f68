import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { processingResult } from '@backstage/plugin-catalog-node';
import {
  DatasetEntityV1alpha1,
  FeatureEntityV1alpha1,
  MLModelEntityV1alpha1,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';
import { MlopsEntitiesProcessor } from './MlopsEntitiesProcessor';

const processor = new MlopsEntitiesProcessor({
  integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
});
const fileLocation = {
  type: 'file',
  target: '/repo/catalog/models/churn.yaml',
};

const model: MLModelEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'MLModel',
  metadata: { name: 'churn-classifier' },
  spec: {
    type: 'classification',
    lifecycle: 'production',
    owner: 'customer-ml',
    system: 'customer-intelligence',
    trainedOn: ['churn-training-snapshots', 'dataset:shared/orders'],
    features: ['tenure-months'],
    dependsOn: ['resource:churn-bucket', 'dataset:churn-training-snapshots'],
    serving: {
      target: 'lambda',
      functionName: 'churn-classifier',
      alias: 'live',
      providesApis: ['churn-prediction-api'],
    },
    monitoring: {
      current: '../data/churn-current.csv',
      format: 'csv',
      reference: 'churn-training-snapshots',
      schedule: { frequency: 'P1D' },
    },
  },
};

const dataset: DatasetEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'Dataset',
  metadata: { name: 'churn-training-snapshots', namespace: 'customers' },
  spec: {
    type: 'tabular',
    lifecycle: 'production',
    owner: 'user:default/guest',
    system: 'customer-intelligence',
    location: './churn.csv',
    format: 'csv',
  },
};

const feature: FeatureEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'Feature',
  metadata: { name: 'tenure-months' },
  spec: {
    type: 'numerical',
    lifecycle: 'production',
    owner: 'customer-ml',
    source: 'churn-training-snapshots',
    entity: { name: 'customer', joinKey: 'customer_id' },
  },
};

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'churn-service' },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'customer-ml',
    dependsOn: ['dataset:x'],
  },
};

function ref(kind: string, name: string, namespace = 'default') {
  return { kind, namespace, name };
}

/** Both directions of a relation, as the processor should emit them. */
function pair(
  source: ReturnType<typeof ref>,
  type: string,
  reverse: string,
  target: ReturnType<typeof ref>,
) {
  return [
    processingResult.relation({ source, type, target }),
    processingResult.relation({
      source: target,
      type: reverse,
      target: source,
    }),
  ];
}

async function emitted(entity: Entity) {
  const emit = jest.fn();
  const result = await processor.postProcessEntity(entity, fileLocation, emit);
  expect(result).toBe(entity);
  return emit.mock.calls.map(call => call[0]);
}

describe('MlopsEntitiesProcessor', () => {
  it('has a name', () => {
    expect(processor.getProcessorName()).toBe('MlopsEntitiesProcessor');
  });

  describe('validateEntityKind', () => {
    it.each([
      ['MLModel', model],
      ['Dataset', dataset],
      ['Feature', feature],
    ])('accepts a valid %s', async (_kind, entity) => {
      await expect(processor.validateEntityKind(entity)).resolves.toBe(true);
    });

    it.each([
      ['a Component', component],
      [
        'an MLModel of another apiVersion',
        { ...model, apiVersion: 'backstage.io/v1alpha1' },
      ],
    ])('leaves %s to other processors', async (_name, entity) => {
      await expect(processor.validateEntityKind(entity)).resolves.toBe(false);
    });

    it.each<[string, Entity, string]>([
      [
        'an MLModel with an unknown type',
        { ...model, spec: { ...model.spec, type: 'clustering' } },
        'Invalid MLModel entity mlmodel:default/churn-classifier: /spec/type must be equal to one of the allowed values',
      ],
      [
        'a Dataset without a location',
        { ...dataset, spec: { ...dataset.spec, location: undefined } },
        "Invalid Dataset entity dataset:customers/churn-training-snapshots: /spec must have required property 'location'",
      ],
      [
        'a Feature whose source is not a Dataset',
        {
          ...feature,
          spec: { ...feature.spec, source: 'mlmodel:churn-classifier' },
        },
        'Invalid Feature entity feature:default/tenure-months: /spec/source must reference an entity of kind Dataset',
      ],
    ])(
      'rejects %s naming the kind, entity and field',
      async (_name, entity, message) => {
        await expect(processor.validateEntityKind(entity)).rejects.toThrow(
          expect.objectContaining({
            name: 'InputError',
            message: expect.stringContaining(message),
          }),
        );
      },
    );
  });

  describe('postProcessEntity', () => {
    const self = ref('MLModel', 'churn-classifier');

    it('emits both directions of every MLModel relation', async () => {
      const expected = [
        ...pair(self, 'ownedBy', 'ownerOf', ref('Group', 'customer-ml')),
        ...pair(
          self,
          'partOf',
          'hasPart',
          ref('System', 'customer-intelligence'),
        ),
        ...pair(
          self,
          'mlopsTrainedOn',
          'mlopsTrainingDatasetOf',
          ref('Dataset', 'churn-training-snapshots'),
        ),
        ...pair(
          self,
          'dependsOn',
          'dependencyOf',
          ref('Dataset', 'churn-training-snapshots'),
        ),
        ...pair(
          self,
          'mlopsTrainedOn',
          'mlopsTrainingDatasetOf',
          ref('dataset', 'orders', 'shared'),
        ),
        ...pair(
          self,
          'dependsOn',
          'dependencyOf',
          ref('dataset', 'orders', 'shared'),
        ),
        ...pair(
          self,
          'mlopsUsesFeature',
          'mlopsFeatureUsedBy',
          ref('Feature', 'tenure-months'),
        ),
        ...pair(
          self,
          'dependsOn',
          'dependencyOf',
          ref('Feature', 'tenure-months'),
        ),
        ...pair(
          self,
          'dependsOn',
          'dependencyOf',
          ref('resource', 'churn-bucket'),
        ),
        ...pair(
          self,
          'providesApi',
          'apiProvidedBy',
          ref('API', 'churn-prediction-api'),
        ),
      ];
      const actual = await emitted(model);
      expect(actual).toEqual(expect.arrayContaining(expected));
      // The dependsOn entry that repeats a trainedOn dataset is emitted once.
      expect(actual).toHaveLength(expected.length);
    });

    it('emits the relations of a Dataset in its own namespace', async () => {
      const source = ref('Dataset', 'churn-training-snapshots', 'customers');
      await expect(emitted(dataset)).resolves.toEqual([
        ...pair(source, 'ownedBy', 'ownerOf', ref('user', 'guest')),
        ...pair(
          source,
          'partOf',
          'hasPart',
          ref('System', 'customer-intelligence', 'customers'),
        ),
      ]);
    });

    it('emits the relations of a Feature', async () => {
      const source = ref('Feature', 'tenure-months');
      await expect(emitted(feature)).resolves.toEqual([
        ...pair(source, 'ownedBy', 'ownerOf', ref('Group', 'customer-ml')),
        ...pair(
          source,
          'mlopsDerivedFrom',
          'mlopsSourceOf',
          ref('Dataset', 'churn-training-snapshots'),
        ),
        ...pair(
          source,
          'dependsOn',
          'dependencyOf',
          ref('Dataset', 'churn-training-snapshots'),
        ),
      ]);
    });

    it('emits nothing for the reference dataset of monitoring alone', async () => {
      const monitoredOnly: MLModelEntityV1alpha1 = {
        ...model,
        spec: {
          type: 'other',
          lifecycle: 'production',
          owner: 'customer-ml',
          monitoring: model.spec.monitoring,
        },
      };
      await expect(emitted(monitoredOnly)).resolves.toEqual(
        pair(self, 'ownedBy', 'ownerOf', ref('Group', 'customer-ml')),
      );
    });

    it('emits nothing for other kinds', async () => {
      await expect(emitted(component)).resolves.toEqual([]);
    });
  });

  describe('preProcessEntity', () => {
    const run = (entity: Entity, location: { type: string; target: string }) =>
      processor.preProcessEntity(entity, location);

    it('resolves a relative Dataset location against a file location', async () => {
      const result = (await run(
        dataset,
        fileLocation,
      )) as DatasetEntityV1alpha1;
      expect(result.spec.location).toBe('/repo/catalog/models/churn.csv');
      expect(dataset.spec.location).toBe('./churn.csv');
    });

    it('resolves relative monitoring data against a url location', async () => {
      const location = {
        type: 'url',
        target:
          'https://github.com/acme/ml/blob/main/catalog/models/churn.yaml',
      };
      const result = (await run(model, location)) as MLModelEntityV1alpha1;
      // The GitHub integration resolves to a tree URL, which its UrlReader reads as a file.
      expect(result.spec.monitoring?.current).toBe(
        'https://github.com/acme/ml/tree/main/catalog/data/churn-current.csv',
      );
      expect(result.spec.monitoring?.reference).toBe(
        'churn-training-snapshots',
      );
    });

    it.each([
      'https://data.example.com/churn.csv',
      's3://bucket/churn.csv',
      '/srv/data/churn.csv',
    ])('keeps the absolute location %s', async location => {
      const entity = { ...dataset, spec: { ...dataset.spec, location } };
      await expect(run(entity, fileLocation)).resolves.toBe(entity);
    });

    it('leaves models without monitoring and other kinds alone', async () => {
      const unmonitored = {
        ...model,
        spec: { ...model.spec, monitoring: undefined },
      };
      await expect(run(unmonitored, fileLocation)).resolves.toBe(unmonitored);
      await expect(run(component, fileLocation)).resolves.toBe(component);
    });

    it('leaves fields of the wrong type to validation', async () => {
      const entity = {
        ...dataset,
        spec: { ...dataset.spec, location: 42 },
      } as Entity;
      await expect(run(entity, fileLocation)).resolves.toBe(entity);
    });

    it('rejects a relative path it cannot resolve', async () => {
      await expect(
        run(dataset, { type: 'bench-provider', target: 'synthetic' }),
      ).rejects.toThrow(
        'Dataset dataset:customers/churn-training-snapshots has the relative path "./churn.csv", which can only be resolved for entities read from a file or url location, not from a bench-provider location',
      );
    });
  });
});
