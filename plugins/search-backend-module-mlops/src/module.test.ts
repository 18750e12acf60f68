import { Readable } from 'node:stream';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import searchModuleCatalogCollator from '@backstage/plugin-search-backend-module-catalog';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { IndexableDocument } from '@backstage/plugin-search-common';
import searchPlugin from '@backstage/plugin-search-backend';
import request from 'supertest';
import {
  churnDataset,
  churnModel,
  paymentsService,
  tenureFeature,
} from './__testUtils__/entities';
import { searchModuleMlops } from './module';

jest.setTimeout(60_000);

const entities = [churnModel, churnDataset, tenureFeature, paymentsService];

async function readAll(stream: Readable): Promise<IndexableDocument[]> {
  const documents: IndexableDocument[] = [];
  for await (const document of stream) {
    documents.push(document);
  }
  return documents;
}

describe('searchModuleMlops', () => {
  it('sets the catalog collator transformer, so the collated documents carry the mlops terms', async () => {
    const addCollator = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [searchIndexRegistryExtensionPoint, { addCollator, addDecorator() {} }],
      ],
      features: [
        searchModuleCatalogCollator,
        searchModuleMlops,
        catalogServiceMock.factory({ entities }),
      ],
    });
    expect(addCollator).toHaveBeenCalledTimes(1);
    const { factory } = addCollator.mock.calls[0][0];
    expect(factory.type).toBe('software-catalog');
    const documents = await readAll(await factory.getCollator());
    const byLocation = new Map(documents.map(d => [d.location, d]));
    expect(
      byLocation.get('/catalog/default/mlmodel/churn-classifier')?.text,
    ).toContain('xgboost : Target retention offers.');
    expect(
      byLocation.get('/catalog/default/dataset/churn-training-snapshots')?.text,
    ).toContain('customer_id : monthly_charges : contract_type : churned');
    expect(
      byLocation.get('/catalog/default/feature/tenure-months')?.text,
    ).toContain('customer_profile');
    expect(
      byLocation.get('/catalog/default/component/payments-service')?.text,
    ).toBe('Takes card payments.');
  });

  it('lets portal search find a model by tag, framework, column and feature', async () => {
    const scheduler = mockServices.scheduler();
    const { server } = await startTestBackend({
      features: [
        searchPlugin,
        searchModuleCatalogCollator,
        searchModuleMlops,
        catalogServiceMock.factory({ entities }),
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
      ],
    });

    function query(term: string) {
      return request(server)
        .get('/api/search/query')
        .query({ term, types: ['software-catalog'] });
    }

    async function search(term: string): Promise<string[]> {
      const res = await query(term);
      expect(res.status).toBe(200);
      return res.body.results.map(
        (r: { document: IndexableDocument }) => r.document.title,
      );
    }

    // Run the catalog collation the search backend scheduled at start-up.
    const tasks = await scheduler.getScheduledTasks();
    const collation = tasks.find(t => t.id === 'search_index_software_catalog');
    expect(collation).toBeDefined();
    await scheduler.triggerTask(collation!.id);

    expect(await search('churn')).toEqual(
      expect.arrayContaining(['Churn classifier', 'churn-training-snapshots']),
    );

    // Words that are only in tags and ML fields, not in title or
    // description, rank the entity that carries them first (Lunr also
    // returns weaker fuzzy matches after it).
    expect((await search('retention'))[0]).toBe('Churn classifier');
    expect((await search('xgboost'))[0]).toBe('Churn classifier');
    expect((await search('roc_auc'))[0]).toBe('Churn classifier');
    expect((await search('contract_type'))[0]).toBe('churn-training-snapshots');
    expect((await search('customer_profile'))[0]).toBe('tenure-months');
    // The Component keeps the default document, which has no tags.
    expect(await search('kotlin')).not.toContain('payments-service');
    expect((await search('payments'))[0]).toBe('payments-service');
  });
});
