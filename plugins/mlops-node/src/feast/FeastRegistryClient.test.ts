import { ConfigReader } from '@backstage/config';
import { startFeastRegistry, TestFeastRegistry } from '../testUtils';
import { closedPort, startFakeServer } from '../__testUtils__/fakeServer';
import { FeastRegistryError } from '../http/EngineError';
import { FeastRegistryClient } from './FeastRegistryClient';
import { readFeastRegistry } from './readFeastRegistry';

// Longer than the engine helpers' own start budget (ENGINE_START_BUDGET_MS), so they clean up first.
jest.setTimeout(900_000);

const header = `
from datetime import timedelta
from pathlib import Path
from feast import Entity, FeatureView, Field, FileSource
from feast.types import Float32, Float64, Int64, String

DATA = Path(__file__).parent / "data"

customer = Entity(name="customer", join_keys=["customer_id"], description="A subscriber",
                  tags={"team": "customer-ml"}, owner="customer-ml@example.com")
product = Entity(name="product", join_keys=["product_id"])
customers = FileSource(name="customer_snapshots", path="data/customers.parquet",
                       timestamp_field="event_timestamp", description="Monthly snapshots",
                       tags={"owner": "customer-ml"})
orders = FileSource(name="orders", path=str(DATA / "orders.parquet"), timestamp_field="event_timestamp")
`;

const profile = `
customer_profile = FeatureView(
    name="customer_profile", entities=[customer], ttl=timedelta(days=30), source=customers,
    schema=[Field(name="tenure_months", dtype=Int64, description="Months since signup"),
            Field(name="monthly_charges", dtype=Float32),
            Field(name="contract_type", dtype=String, tags={"pii": "false"})],
    tags={"owner": "customer-ml"}, owner="customer-ml@example.com", description="Profile features")
`;

const affinity = `
affinity = FeatureView(
    name="customer_product_affinity", entities=[customer, product], ttl=timedelta(days=1),
    source=orders, schema=[Field(name="affinity", dtype=Float64)])
`;

const tables = {
  'customers.parquet': {
    customer_id: [1, 2],
    event_timestamp: ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    tenure_months: [3, 14],
    monthly_charges: [20.5, 70.25],
    contract_type: ['monthly', 'yearly'],
  },
  'orders.parquet': {
    customer_id: [1],
    product_id: [7],
    event_timestamp: ['2026-01-01T00:00:00Z'],
    affinity: [0.5],
  },
};

describe('FeastRegistryClient against a real Feast registry', () => {
  let feast: TestFeastRegistry;

  beforeAll(async () => {
    feast = await startFeastRegistry({
      project: 'synth_demo',
      featuresPy: header + profile + affinity,
      tables,
      timestampColumns: ['event_timestamp'],
    });
  });

  afterAll(async () => {
    await feast?.stop();
  });

  it('lists projects, entities, data sources and feature views page by page', async () => {
    const client = new FeastRegistryClient({ baseUrl: feast.url, pageSize: 1 });
    const projects = await client.listProjects();
    expect(projects.map(p => p.spec.name)).toEqual(['synth_demo']);
    const entities = await client.listEntities('synth_demo');
    expect(entities.map(e => e.spec.name).sort()).toEqual([
      '__dummy',
      'customer',
      'product',
    ]);
    const sources = await client.listDataSources('synth_demo');
    expect(sources.map(s => s.name).sort()).toEqual([
      'customer_snapshots',
      'orders',
    ]);
    const views = await client.listFeatureViews('synth_demo');
    expect(views.map(v => [v.type, v.spec.name]).sort()).toEqual([
      ['featureView', 'customer_product_affinity'],
      ['featureView', 'customer_profile'],
    ]);
    expect(await client.listFeatureViews('no_such_project')).toEqual([]);
  });

  it('reads a sorted snapshot without timestamps or the __dummy entity', async () => {
    const client = new FeastRegistryClient({ baseUrl: feast.url });
    const snapshot = await readFeastRegistry(client);
    expect(snapshot).toEqual({
      projects: [
        {
          name: 'synth_demo',
          description: undefined,
          tags: {},
          owner: undefined,
          entities: [
            {
              name: 'customer',
              joinKey: 'customer_id',
              valueType: undefined,
              description: 'A subscriber',
              tags: { team: 'customer-ml' },
              owner: 'customer-ml@example.com',
            },
            {
              name: 'product',
              joinKey: 'product_id',
              valueType: undefined,
              description: undefined,
              tags: {},
              owner: undefined,
            },
          ],
          dataSources: [
            {
              name: 'customer_snapshots',
              type: 'BATCH_FILE',
              description: 'Monthly snapshots',
              tags: { owner: 'customer-ml' },
              owner: undefined,
              timestampField: 'event_timestamp',
              uri: 'data/customers.parquet',
              fileFormat: 'parquet',
            },
            expect.objectContaining({
              name: 'orders',
              uri: `${feast.repoDir}/data/orders.parquet`,
            }),
          ],
          featureViews: [
            expect.objectContaining({
              name: 'customer_product_affinity',
              entities: ['customer', 'product'],
              batchSource: 'orders',
              features: [
                {
                  name: 'affinity',
                  valueType: 'DOUBLE',
                  description: undefined,
                  tags: {},
                },
              ],
            }),
            {
              name: 'customer_profile',
              type: 'featureView',
              description: 'Profile features',
              tags: { owner: 'customer-ml' },
              owner: 'customer-ml@example.com',
              entities: ['customer'],
              features: [
                {
                  name: 'contract_type',
                  valueType: 'STRING',
                  description: undefined,
                  tags: { pii: 'false' },
                },
                {
                  name: 'monthly_charges',
                  valueType: 'FLOAT',
                  description: undefined,
                  tags: {},
                },
                {
                  name: 'tenure_months',
                  valueType: 'INT64',
                  description: 'Months since signup',
                  tags: {},
                },
              ],
              batchSource: 'customer_snapshots',
              streamSource: undefined,
              online: true,
              ttl: '2592000s',
            },
          ],
        },
      ],
    });
    // Reading again gives the same snapshot.
    expect(await readFeastRegistry(client)).toEqual(snapshot);
    expect(await readFeastRegistry(client, { projects: ['other'] })).toEqual({
      projects: [],
    });
  });

  it('sees a change of the registry at once, without the server cache', async () => {
    const client = new FeastRegistryClient({ baseUrl: feast.url });
    await feast.apply(header + profile);
    const snapshot = await readFeastRegistry(client);
    expect(snapshot.projects[0].featureViews.map(v => v.name)).toEqual([
      'customer_profile',
    ]);
    await feast.apply(header + profile + affinity);
    const again = await readFeastRegistry(client);
    expect(again.projects[0].featureViews.map(v => v.name)).toEqual([
      'customer_product_affinity',
      'customer_profile',
    ]);
  });
});

describe('FeastRegistryClient failure paths', () => {
  it('reports an unreachable registry as a retryable error', async () => {
    const port = await closedPort();
    const client = new FeastRegistryClient({
      baseUrl: `http://127.0.0.1:${port}/api/v1`,
    });
    const error = await client.listProjects().then(
      () => undefined,
      e => e,
    );
    expect(error).toBeInstanceOf(FeastRegistryError);
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('reads Feast error bodies and sends the bearer token', async () => {
    const fake = await startFakeServer(req =>
      req.url.startsWith('/api/v1/projects')
        ? {
            status: 200,
            body: JSON.stringify({ error: 'Error searching all projects' }),
          }
        : {
            status: 403,
            body: JSON.stringify({
              status_code: 403,
              detail: 'User is not allowed to read',
              error_type: 'FeastPermissionError',
            }),
          },
    );
    try {
      const client = FeastRegistryClient.fromConfig(
        new ConfigReader({ baseUrl: `${fake.url}/api/v1`, token: 'tok' }),
      );
      await expect(client.listProjects()).rejects.toMatchObject({
        retryable: true,
        message: expect.stringContaining('Error searching all projects'),
      });
      await expect(client.listEntities('p')).rejects.toMatchObject({
        status: 403,
        code: 'FeastPermissionError',
        retryable: false,
        message: expect.stringContaining('User is not allowed to read'),
      });
      expect(fake.requests[1].headers.authorization).toBe('Bearer tok');
      expect(fake.requests[1].url).toBe(
        '/api/v1/entities?project=p&allow_cache=false&page=1&limit=100&sort_by=name&sort_order=asc',
      );
    } finally {
      await fake.close();
    }
  });

  it('refuses a registry that lists more objects than the limit', async () => {
    const fake = await startFakeServer(() => ({
      status: 200,
      body: JSON.stringify({
        entities: [{ spec: { name: 'a' } }, { spec: { name: 'b' } }],
        pagination: { page: 1, totalPages: 1, hasNext: false },
      }),
    }));
    try {
      const client = new FeastRegistryClient({
        baseUrl: fake.url,
        maxObjects: 1,
      });
      await expect(client.listEntities('p')).rejects.toThrow(
        'lists more than 1 objects',
      );
    } finally {
      await fake.close();
    }
  });
});
