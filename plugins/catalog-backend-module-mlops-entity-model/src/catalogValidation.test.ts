import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { MLOPS_API_VERSION_V1ALPHA1 } from '@synth/plugin-mlops-common';
import request from 'supertest';
import {
  eventually,
  listEntities,
  startCatalog,
} from './__testUtils__/catalog';

jest.setTimeout(90_000);

const LOCATION =
  'url:https://github.com/acme/ml-models/blob/main/catalog-info.yaml';

const model: Entity = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'MLModel',
  metadata: { name: 'churn-classifier' },
  spec: {
    type: 'classification',
    lifecycle: 'production',
    owner: 'customer-ml',
    trainedOn: ['churn-training-snapshots'],
    features: ['tenure-months'],
    monitoring: {
      current: './data/churn-current.csv',
      format: 'csv',
      schedule: { frequency: 'P1D' },
    },
  },
};
const dataset: Entity = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'Dataset',
  metadata: { name: 'churn-training-snapshots' },
  spec: {
    type: 'tabular',
    lifecycle: 'production',
    owner: 'customer-ml',
    location: './data/churn-reference.csv',
    format: 'csv',
    schema: { columns: [{ name: 'tenure_months', type: 'numerical' }] },
  },
};
const feature: Entity = {
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

function withSpec(entity: Entity, spec: JsonObject): Entity {
  return { ...entity, spec: { ...entity.spec, ...spec } };
}

describe('the catalog with the mlops entity model', () => {
  describe('POST /api/catalog/validate-entity', () => {
    let server: Parameters<typeof request>[0];
    let stop: () => Promise<void>;

    beforeAll(async () => {
      const backend = await startCatalog();
      server = backend.server;
      stop = backend.stop;
    });

    afterAll(async () => {
      await stop();
    });

    it.each([
      ['MLModel', model],
      ['Dataset', dataset],
      ['Feature', feature],
    ])('answers 200 for a valid %s', async (_kind, entity) => {
      const response = await request(server)
        .post('/api/catalog/validate-entity')
        .send({ entity, location: LOCATION });
      expect(response.status).toBe(200);
    });

    it.each<[string, Entity, string]>([
      [
        'an MLModel without an owner',
        withSpec(model, { owner: undefined }),
        "Invalid MLModel entity mlmodel:default/churn-classifier: /spec must have required property 'owner'",
      ],
      [
        'an MLModel with an unknown type',
        withSpec(model, { type: 'clustering' }),
        'Invalid MLModel entity mlmodel:default/churn-classifier: /spec/type must be equal to one of the allowed values',
      ],
      [
        'an MLModel with a malformed dataset reference',
        withSpec(model, { trainedOn: ['dataset:'] }),
        'Invalid MLModel entity mlmodel:default/churn-classifier: /spec/trainedOn/0 must match pattern',
      ],
      [
        'a Dataset whose format is a number',
        withSpec(dataset, { format: 3 }),
        'Invalid Dataset entity dataset:default/churn-training-snapshots: /spec/format must be string',
      ],
      [
        'a Dataset with an unknown column type',
        withSpec(dataset, {
          schema: { columns: [{ name: 'x', type: 'float' }] },
        }),
        'Invalid Dataset entity dataset:default/churn-training-snapshots: /spec/schema/columns/0/type must be equal to one of the allowed values',
      ],
      [
        'a Feature without a source',
        withSpec(feature, { source: undefined }),
        "Invalid Feature entity feature:default/tenure-months: /spec must have required property 'source'",
      ],
      [
        'a Feature whose source is a model',
        withSpec(feature, { source: 'mlmodel:churn-classifier' }),
        'Invalid Feature entity feature:default/tenure-months: /spec/source must reference an entity of kind Dataset',
      ],
    ])(
      'answers 400 naming the kind, entity and field for %s',
      async (_name, entity, message) => {
        const response = await request(server)
          .post('/api/catalog/validate-entity')
          .send({ entity, location: LOCATION });
        expect(response.status).toBe(400);
        expect(response.body.errors).toEqual([
          expect.objectContaining({
            message: expect.stringContaining(message),
          }),
        ]);
      },
    );
  });

  describe('ingestion from a location', () => {
    let dir: string;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-catalog-'));
    });

    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('keeps processing the other entities when one is invalid', async () => {
      const invalid = withSpec(
        { ...model, metadata: { name: 'broken-model' } },
        { type: 'clustering' },
      );
      const documents = [model, dataset, feature, invalid].map(e =>
        JSON.stringify(e),
      );
      const file = path.join(dir, 'catalog-info.yaml');
      // JSON documents are valid YAML documents.
      fs.writeFileSync(file, documents.join('\n---\n'));

      const backend = await startCatalog({ locations: [file] });
      try {
        // Wait until every valid entity is stitched with the relations the
        // others emit towards it, and the invalid one has been reported.
        const entities = await eventually(async () => {
          const all = await listEntities(backend.server);
          const byName = new Map(all.map(e => [e.metadata.name, e]));
          expect(byName.get('churn-classifier')?.relations).toEqual(
            expect.arrayContaining([
              {
                type: 'mlopsTrainedOn',
                targetRef: 'dataset:default/churn-training-snapshots',
              },
              {
                type: 'mlopsUsesFeature',
                targetRef: 'feature:default/tenure-months',
              },
              {
                type: 'dependsOn',
                targetRef: 'dataset:default/churn-training-snapshots',
              },
              { type: 'ownedBy', targetRef: 'group:default/customer-ml' },
            ]),
          );
          expect(byName.get('churn-training-snapshots')?.relations).toEqual(
            expect.arrayContaining([
              {
                type: 'mlopsTrainingDatasetOf',
                targetRef: 'mlmodel:default/churn-classifier',
              },
              {
                type: 'mlopsSourceOf',
                targetRef: 'feature:default/tenure-months',
              },
              {
                type: 'dependencyOf',
                targetRef: 'feature:default/tenure-months',
              },
            ]),
          );
          expect(byName.get('tenure-months')?.relations).toEqual(
            expect.arrayContaining([
              {
                type: 'mlopsFeatureUsedBy',
                targetRef: 'mlmodel:default/churn-classifier',
              },
              {
                type: 'mlopsDerivedFrom',
                targetRef: 'dataset:default/churn-training-snapshots',
              },
            ]),
          );
          expect(backend.errors.map(e => e.entityRef)).toContain(
            'mlmodel:default/broken-model',
          );
          return all;
        });
        expect(entities.map(e => e.metadata.name)).not.toContain(
          'broken-model',
        );
        const reported = backend.errors.find(
          e => e.entityRef === 'mlmodel:default/broken-model',
        )!;
        expect(reported.messages.join('\n')).toContain(
          'Invalid MLModel entity mlmodel:default/broken-model: /spec/type must be equal to one of the allowed values',
        );
        expect(new Set(backend.errors.map(e => e.entityRef))).toEqual(
          new Set(['mlmodel:default/broken-model']),
        );

        // Relative paths are resolved against the file the entity came from.
        const stored = entities.find(
          e => e.metadata.name === 'churn-training-snapshots',
        )!;
        expect(stored.spec?.location).toBe(
          path.join(dir, 'data/churn-reference.csv'),
        );
        const storedModel = entities.find(
          e => e.metadata.name === 'churn-classifier',
        )!;
        expect(
          (storedModel.spec?.monitoring as { current: string }).current,
        ).toBe(path.join(dir, 'data/churn-current.csv'));
      } finally {
        await backend.stop();
      }
    });
  });
});
