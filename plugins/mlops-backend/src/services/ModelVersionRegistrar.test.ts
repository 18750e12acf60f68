import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { randomBytes, randomUUID } from 'node:crypto';
import { startEngine } from '../__testUtils__/engines';
import { DatabaseMlopsStore } from '../database/DatabaseMlopsStore';
import { RunRecord } from '../database/MlopsStore';
import { MlflowClient } from '@synth/plugin-mlops-node';
import { MLFLOW_RUN_TAG, ModelVersionRegistrar } from './ModelVersionRegistrar';

jest.setTimeout(10 * 60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function run(name: string): RunRecord {
  return {
    id: randomUUID(),
    modelRef: `mlmodel:default/${name}`,
    spec: { registeredModelName: name },
  } as RunRecord;
}

describe('ModelVersionRegistrar with a real MLflow server', () => {
  let mlflow: MlflowClient;
  let store: DatabaseMlopsStore;

  beforeAll(async () => {
    const url = await startEngine('mlflow');
    mlflow = new MlflowClient({ baseUrl: url, timeoutMs: 30_000 });
    store = await DatabaseMlopsStore.create({
      database: mockServices.database({
        knex: await databases.init('SQLITE_3'),
      }),
    });
  });

  it('registers a version once per run, in MLflow and in the plugin table', async () => {
    const name = `mlops-test-${randomBytes(4).toString('hex')}`;
    const registrar = new ModelVersionRegistrar({ store, mlflow });
    const first = run(name);
    const a = await registrar.register(first, {
      artifactUri: 's3://models/a.zip',
      metrics: { auc: 0.8 },
    });
    expect(a.note).toBeUndefined();
    expect(a.version).toMatchObject({
      version: '1',
      registry: 'mlflow',
      registeredModelName: name,
      artifactUri: 's3://models/a.zip',
    });
    // A retry (e.g. after a crash before the run was updated) finds the same version.
    const again = await registrar.register(first, {
      artifactUri: 's3://models/a.zip',
      metrics: {},
    });
    expect(again.version.version).toBe('1');
    const versions = await mlflow.searchModelVersions({
      filter: `name='${name}'`,
    });
    expect(versions.items).toEqual([
      expect.objectContaining({
        version: '1',
        source: 's3://models/a.zip',
        tags: [{ key: MLFLOW_RUN_TAG, value: first.id }],
      }),
    ]);

    const b = await registrar.register(run(name), {
      artifactUri: 'gs://models/b.zip',
      metrics: {},
    });
    expect(b.version.version).toBe('2');
    // MLflow 3.x refuses host-addressed sources such as https:// by default;
    // the trained model is kept in the plugin's table with MLflow's reason.
    const refused = run(name);
    const c = await registrar.register(refused, {
      artifactUri: 'https://example.com/c.zip',
      metrics: {},
    });
    expect(c.version).toMatchObject({
      registry: 'internal',
      version: `local-${refused.id.slice(0, 8)}`,
    });
    expect(c.note).toContain("'source' cannot use the 'https' scheme");
    // The registered model existing already (HTTP 400 RESOURCE_ALREADY_EXISTS) is fine.
    await expect(mlflow.createRegisteredModel(name)).resolves.toBe(false);
  });

  it('keeps versions MLflow cannot hold (local artefacts) in the plugin table, labelled', async () => {
    const name = `mlops-test-${randomBytes(4).toString('hex')}`;
    const registrar = new ModelVersionRegistrar({ store, mlflow });
    const local = run(name);
    const result = await registrar.register(local, {
      artifactUri: 'file:///tmp/out',
      metrics: {},
    });
    expect(result.version).toMatchObject({
      registry: 'internal',
      version: `local-${local.id.slice(0, 8)}`,
    });
    expect(result.note).toContain('MLflow only accepts remote artefact URIs');
    // Nothing reached MLflow: not even the registered model was created.
    await expect(mlflow.getRegisteredModel(name)).rejects.toMatchObject({
      status: 404,
    });
  });

  it('reports an unreachable MLflow as retryable', async () => {
    const registrar = new ModelVersionRegistrar({
      store,
      mlflow: new MlflowClient({
        baseUrl: 'http://127.0.0.1:9',
        timeoutMs: 1000,
      }),
    });
    await expect(
      registrar.register(run('x'), {
        artifactUri: 's3://m/x.zip',
        metrics: {},
      }),
    ).rejects.toMatchObject({ name: 'MlflowError', retryable: true });
  });

  it('numbers versions itself without MLflow', async () => {
    const registrar = new ModelVersionRegistrar({ store });
    const name = `plain-${randomBytes(4).toString('hex')}`;
    const first = await registrar.register(run(name), { metrics: {} });
    const second = await registrar.register(run(name), { metrics: {} });
    expect([first.version.version, second.version.version]).toEqual(['1', '2']);
    expect(first.version.registry).toBe('internal');
  });
});
