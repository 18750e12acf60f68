import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  DeferredEntity,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  startFeastRegistry,
  TestFeastRegistry,
} from '@synth/plugin-mlops-node/testUtils';
import { readFeastProviderConfigs } from '../config';
import { RecordingLogger } from '../__testUtils__/logger';
import { FeastEntityProvider } from './FeastEntityProvider';

// Longer than the engine helpers' own start budget (ENGINE_START_BUDGET_MS), so they clean up first.
jest.setTimeout(900_000);

type Mutation = { type: 'full'; entities: DeferredEntity[] };

const header = `
from datetime import timedelta
from pathlib import Path
from feast import Entity, FeatureView, Field, FileSource
from feast.types import Float32, Float64, Int64, String

customer = Entity(name="customer", join_keys=["customer_id"], description="A subscriber")
product = Entity(name="product", join_keys=["product_id"])
customers = FileSource(name="customer_snapshots", path="data/customers.parquet",
                       timestamp_field="event_timestamp", description="Monthly snapshots",
                       tags={"owner": "customer-ml"})
`;

const profile = (extra = '', description = 'Profile features') => `
customer_profile = FeatureView(
    name="customer_profile", entities=[customer], ttl=timedelta(days=30), source=customers,
    schema=[Field(name="tenure_months", dtype=Int64, description="Months since signup"),
            Field(name="contract_type", dtype=String)${extra}],
    tags={"owner": "customer-ml", "team": "crm"}, description="${description}")
`;

const affinity = `
orders = FileSource(name="orders", path=str(Path(__file__).parent / "data" / "orders.parquet"),
                    timestamp_field="event_timestamp")
affinity = FeatureView(
    name="customer_product_affinity", entities=[customer, product], ttl=timedelta(days=1),
    source=orders, schema=[Field(name="affinity", dtype=Float64)])
`;

const tables = {
  'customers.parquet': {
    customer_id: [1, 2],
    event_timestamp: ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    tenure_months: [3, 14],
    contract_type: ['monthly', 'yearly'],
    monthly_charges: [20.5, 70.25],
  },
  'orders.parquet': {
    customer_id: [1],
    product_id: [7],
    event_timestamp: ['2026-01-01T00:00:00Z'],
    affinity: [0.5],
  },
};

describe('FeastEntityProvider against a real Feast registry', () => {
  let feast: TestFeastRegistry;
  let provider: FeastEntityProvider;
  let logger: RecordingLogger;
  const mutations: Mutation[] = [];
  const names = (m: Mutation) =>
    m.entities.map(e => `${e.entity.kind}:${e.entity.metadata.name}`);

  beforeAll(async () => {
    feast = await startFeastRegistry({
      project: 'synth_demo',
      featuresPy: header + profile() + affinity,
      tables,
      timestampColumns: ['event_timestamp'],
    });
    const [settings] = readFeastProviderConfigs(
      new ConfigReader({
        catalog: {
          providers: {
            feast: {
              demo: {
                baseUrl: feast.url,
                uiUrl: 'http://feast.example.com',
                repoPath: feast.repoDir,
                defaultOwner: 'ml-platform',
              },
            },
          },
        },
      }),
    );
    logger = new RecordingLogger();
    provider = FeastEntityProvider.fromConfig(settings, {
      logger,
      scheduler: mockServices.scheduler.mock({
        createScheduledTaskRunner: jest
          .fn()
          .mockReturnValue({ run: jest.fn() }),
      }),
      catalog: catalogServiceMock({ entities: [] }),
      auth: mockServices.auth(),
    });
    const connection: EntityProviderConnection = {
      applyMutation: jest.fn(async m => {
        mutations.push(m as Mutation);
      }),
      refresh: jest.fn(),
    };
    await provider.connect(connection);
  });

  afterAll(async () => {
    await feast?.stop();
  });

  it('imports the project, its file sources and its features', async () => {
    expect((await provider.refresh()).ok).toBe(true);
    const [mutation] = mutations;
    expect(mutation.type).toBe('full');
    expect(names(mutation)).toEqual([
      'Dataset:synth_demo.customer_snapshots',
      'Dataset:synth_demo.orders',
      'Feature:synth_demo.customer_product_affinity.affinity',
      'Feature:synth_demo.customer_profile.contract_type',
      'Feature:synth_demo.customer_profile.tenure_months',
      'System:synth_demo',
    ]);
    const [snapshots, , affinityFeature, , tenure, system] =
      mutation.entities.map(e => e.entity);
    expect(snapshots.spec).toEqual({
      type: 'tabular',
      lifecycle: 'production',
      owner: 'group:default/customer-ml',
      system: 'system:default/synth_demo',
      location: `${feast.repoDir}/data/customers.parquet`,
      format: 'parquet',
      schema: {
        columns: [
          { name: 'event_timestamp', type: 'datetime' },
          { name: 'customer_id', type: 'categorical' },
          { name: 'contract_type', type: 'categorical' },
          {
            name: 'tenure_months',
            type: 'numerical',
            description: 'Months since signup',
          },
        ],
      },
    });
    expect(tenure).toMatchObject({
      metadata: {
        title: 'customer_profile:tenure_months',
        description: 'Months since signup',
        tags: ['team:crm'],
        annotations: {
          'mlops.synth.dev/feast-project': 'synth_demo',
          'backstage.io/managed-by-origin-location': `url:${feast.url}`,
        },
        links: [
          {
            url: 'http://feast.example.com/p/synth_demo/feature-view/customer_profile/feature/tenure_months',
            title: 'Feast feature',
          },
        ],
      },
      spec: {
        type: 'numerical',
        lifecycle: 'production',
        owner: 'group:default/customer-ml',
        system: 'system:default/synth_demo',
        source: 'dataset:default/synth_demo.customer_snapshots',
        entity: { name: 'customer', joinKey: 'customer_id' },
        group: 'customer_profile',
      },
    });
    expect(affinityFeature.spec).toMatchObject({
      source: 'dataset:default/synth_demo.orders',
      entity: { name: 'customer', joinKey: 'customer_id' },
      owner: 'group:default/ml-platform',
    });
    expect(system.spec).toEqual({ owner: 'group:default/ml-platform' });
    expect(logger.at('error')).toEqual([]);
    expect(logger.at('warn')).toEqual([]);
  });

  it('applies an identical mutation while the registry is unchanged', async () => {
    await provider.refresh();
    expect(mutations).toHaveLength(2);
    expect(JSON.stringify(mutations[1])).toBe(JSON.stringify(mutations[0]));
  });

  it('follows changes of the registry', async () => {
    await feast.apply(
      header +
        profile(
          ', Field(name="monthly_charges", dtype=Float32)',
          'Customer profile features',
        ) +
        affinity,
    );
    await provider.refresh();
    const mutation = mutations[2];
    expect(names(mutation)).toContain(
      'Feature:synth_demo.customer_profile.monthly_charges',
    );
    const charges = mutation.entities.find(
      e =>
        e.entity.metadata.name ===
        'synth_demo.customer_profile.monthly_charges',
    )!.entity;
    expect(charges.spec).toMatchObject({
      type: 'numerical',
      group: 'customer_profile',
    });
    const dataset = mutation.entities.find(
      e => e.entity.metadata.name === 'synth_demo.customer_snapshots',
    )!.entity;
    expect(
      (
        dataset.spec as { schema: { columns: Array<{ name: string }> } }
      ).schema.columns.map(c => c.name),
    ).toEqual([
      'event_timestamp',
      'customer_id',
      'contract_type',
      'monthly_charges',
      'tenure_months',
    ]);
  });

  it('removes what disappears upstream', async () => {
    await feast.apply(header + profile());
    await provider.refresh();
    expect(names(mutations[3])).toEqual([
      'Dataset:synth_demo.customer_snapshots',
      'Feature:synth_demo.customer_profile.contract_type',
      'Feature:synth_demo.customer_profile.tenure_months',
      'System:synth_demo',
    ]);
  });

  it('keeps the last good state when the registry goes away, with one clear error', async () => {
    await feast.stop();
    logger.clear();
    const result = await provider.refresh();
    expect(result.ok).toBe(false);
    expect(mutations).toHaveLength(4);
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(
      'FeastEntityProvider:demo: import failed, the catalog keeps the 4 entities of the last successful run: Feast registry at',
    );
    expect(errors[0]).toContain('ECONNREFUSED');
  });
});
