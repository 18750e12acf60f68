import { ConfigReader } from '@backstage/config';
import {
  MlflowSeeder,
  startMlflowServer,
  TestMlflowServer,
} from '../testUtils';
import { closedPort, startFakeServer } from '../__testUtils__/fakeServer';
import { MlflowError } from '../http/EngineError';
import { MlflowClient } from './MlflowClient';

// Longer than the engine helpers' own start budget (ENGINE_START_BUDGET_MS), so they clean up first.
jest.setTimeout(900_000);

describe('MlflowClient against a real MLflow server', () => {
  let mlflow: TestMlflowServer;
  let client: MlflowClient;
  let experimentId: string;
  let firstRun: string;
  let secondRun: string;

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    client = new MlflowClient({ baseUrl: mlflow.url });
    const seed = new MlflowSeeder(mlflow.url);
    experimentId = await seed.createExperiment('churn/training');
    firstRun = await seed.createRun({
      experimentId,
      runName: 'baseline',
      startTime: 1_700_000_000_000,
      params: { max_depth: '4' },
      metrics: { auc: [0.7, 0.75, 0.8], loss: [0.9, 0.5] },
    });
    secondRun = await seed.createRun({
      experimentId,
      runName: 'tuned',
      startTime: 1_700_000_100_000,
      status: 'FAILED',
      params: { max_depth: '6' },
      metrics: { auc: [0.81] },
    });
    for (let i = 0; i < 5; i++) {
      await seed.createRegisteredModel(`model-${i}`, {
        description: `Model number ${i}`,
        tags: { owner: `team-${i}` },
      });
    }
    await seed.createModelVersion('model-0', firstRun);
    await seed.createModelVersion('model-0', secondRun);
    await seed.setAlias('model-0', 'champion', '1');
    await seed.setAlias('model-0', 'challenger', '2');
  });

  afterAll(async () => {
    await mlflow?.stop();
  });

  it('walks the registry page by page', async () => {
    const page = await client.searchRegisteredModels({
      maxResults: 2,
      orderBy: ['name ASC'],
    });
    expect(page.items.map(m => m.name)).toEqual(['model-0', 'model-1']);
    expect(page.nextPageToken).toEqual(expect.any(String));

    const all: string[] = [];
    for await (const model of client.listRegisteredModels({
      pageSize: 2,
      orderBy: ['name ASC'],
    })) {
      all.push(model.name);
    }
    expect(all).toEqual([
      'model-0',
      'model-1',
      'model-2',
      'model-3',
      'model-4',
    ]);
  });

  it('filters registered models with an MLflow filter', async () => {
    const page = await client.searchRegisteredModels({
      filter: "name LIKE 'model-3%'",
    });
    expect(page.items.map(m => m.name)).toEqual(['model-3']);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('reads a registered model with tags, aliases and string versions', async () => {
    const model = await client.getRegisteredModel('model-0');
    expect(model).toMatchObject({
      name: 'model-0',
      description: 'Model number 0',
      tags: [{ key: 'owner', value: 'team-0' }],
    });
    expect(model.aliases).toEqual(
      expect.arrayContaining([
        { alias: 'champion', version: '1' },
        { alias: 'challenger', version: '2' },
      ]),
    );
    expect(model.latestVersions.map(v => v.version)).toEqual(['2']);
    expect(model.latestVersions[0].runId).toBe(secondRun);
  });

  it('reads the latest versions and the version behind an alias', async () => {
    const latest = await client.getLatestVersions('model-0');
    expect(latest).toEqual([
      expect.objectContaining({
        name: 'model-0',
        version: '2',
        runId: secondRun,
        status: 'READY',
        aliases: ['challenger'],
      }),
    ]);
    const champion = await client.getModelVersionByAlias('model-0', 'champion');
    expect(champion).toMatchObject({ version: '1', runId: firstRun });
  });

  it('creates registered models and versions, and lists versions page by page', async () => {
    await expect(
      client.createRegisteredModel('written', {
        description: 'made by the client',
        tags: [{ key: 'owner', value: 'team-w' }],
      }),
    ).resolves.toBe(true);
    // MLflow answers 400 RESOURCE_ALREADY_EXISTS: not an error here.
    await expect(client.createRegisteredModel('written')).resolves.toBe(false);
    expect(await client.getRegisteredModel('written')).toMatchObject({
      description: 'made by the client',
      tags: [{ key: 'owner', value: 'team-w' }],
    });

    const fromRun = await client.createModelVersion({
      name: 'written',
      source: `runs:/${firstRun}/model`,
      runId: firstRun,
      tags: [{ key: 'mlops.synth.dev/run-id', value: 'r1' }],
    });
    expect(fromRun).toMatchObject({
      name: 'written',
      version: '1',
      runId: firstRun,
      tags: [{ key: 'mlops.synth.dev/run-id', value: 'r1' }],
    });
    const external = await client.createModelVersion({
      name: 'written',
      source: 's3://bucket/model.zip',
      description: 'no MLflow run',
    });
    expect(external).toMatchObject({
      version: '2',
      source: 's3://bucket/model.zip',
      description: 'no MLflow run',
    });
    expect(external.runId).toBeUndefined();

    const page = await client.searchModelVersions({
      filter: "name='written'",
      maxResults: 1,
    });
    expect(page.items).toHaveLength(1);
    expect(page.nextPageToken).toBeDefined();
    const all = [];
    for await (const v of client.listModelVersions({
      filter: "name='written'",
      pageSize: 1,
    })) {
      all.push(v);
    }
    expect(all.map(v => v.version).sort()).toEqual(['1', '2']);
    expect(all.find(v => v.version === '1')?.tags).toEqual([
      { key: 'mlops.synth.dev/run-id', value: 'r1' },
    ]);

    await expect(
      client.createModelVersion({ name: 'no-such-model', source: 's3://b/m' }),
    ).rejects.toMatchObject({ status: 404, code: 'RESOURCE_DOES_NOT_EXIST' });
    await expect(
      client.searchModelVersions({ maxResults: 200_001 }),
    ).rejects.toThrow('The page size must be an integer from 1 to 200000');
  });

  it('reads experiments by id and by name', async () => {
    const byName = await client.getExperimentByName('churn/training');
    expect(byName).toMatchObject({ experimentId, name: 'churn/training' });
    const byId = await client.getExperiment(experimentId);
    expect(byId.name).toBe('churn/training');
  });

  it('searches runs page by page, newest first', async () => {
    const page = await client.searchRuns({
      experimentIds: [experimentId],
      orderBy: ['attributes.start_time DESC'],
      maxResults: 1,
    });
    expect(page.items.map(r => r.runId)).toEqual([secondRun]);
    expect(page.nextPageToken).toEqual(expect.any(String));

    const runs = [];
    for await (const run of client.listRuns({
      experimentIds: [experimentId],
      orderBy: ['attributes.start_time DESC'],
      pageSize: 1,
    })) {
      runs.push(run);
    }
    expect(runs.map(r => [r.runName, r.status])).toEqual([
      ['tuned', 'FAILED'],
      ['baseline', 'FINISHED'],
    ]);
    expect(runs[1]).toMatchObject({
      experimentId,
      startTime: 1_700_000_000_000,
      params: [{ key: 'max_depth', value: '4' }],
    });
    expect(runs[1].metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'auc', value: 0.8, step: 2 }),
        expect.objectContaining({ key: 'loss', value: 0.5, step: 1 }),
      ]),
    );
  });

  it('reads a metric history across pages and stops at the limit', async () => {
    const full = await client.getMetricHistory(firstRun, 'auc', {
      pageSize: 1,
    });
    expect(full.truncated).toBe(false);
    expect(full.metrics.map(m => [m.step, m.value])).toEqual([
      [0, 0.7],
      [1, 0.75],
      [2, 0.8],
    ]);
    expect(full.metrics[1].timestamp).toBe(1_700_000_001_000);

    const cut = await client.getMetricHistory(firstRun, 'auc', {
      pageSize: 1,
      limit: 2,
    });
    expect(cut).toEqual({
      metrics: full.metrics.slice(0, 2),
      truncated: true,
    });
  });

  it('turns MLflow errors into typed MlflowErrors', async () => {
    const missing = await client.getRegisteredModel('no-such-model').then(
      () => undefined,
      e => e,
    );
    expect(missing).toBeInstanceOf(MlflowError);
    expect(missing).toMatchObject({
      status: 404,
      code: 'RESOURCE_DOES_NOT_EXIST',
      retryable: false,
      notFound: true,
    });
    expect(missing.message).toContain(`MLflow at ${mlflow.url}`);

    const badFilter = await client
      .searchRegisteredModels({ filter: 'name LIKE %' })
      .then(
        () => undefined,
        e => e,
      );
    expect(badFilter).toMatchObject({
      status: 400,
      code: 'INVALID_PARAMETER_VALUE',
      retryable: false,
    });

    await expect(
      client.searchRegisteredModels({ maxResults: 1001 }),
    ).rejects.toThrow('The page size must be an integer from 1 to 1000');
  });
});

describe('MlflowClient failure paths', () => {
  it('reports an unreachable server as a retryable error', async () => {
    const port = await closedPort();
    const client = new MlflowClient({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await client.getRegisteredModel('m').then(
      () => undefined,
      e => e,
    );
    expect(error).toBeInstanceOf(MlflowError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('sends bearer and basic credentials and keeps them out of errors', async () => {
    const fake = await startFakeServer(() => ({
      status: 401,
      body: JSON.stringify({
        error_code: 'UNAUTHENTICATED',
        message: 'You are not authenticated.',
      }),
    }));
    try {
      const bearer = new MlflowClient({
        baseUrl: fake.url,
        auth: { type: 'bearer', token: 's3cr3t-token' },
      });
      const error = await bearer.getExperiment('1').then(
        () => undefined,
        e => e,
      );
      expect(error).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        retryable: false,
      });
      expect(error.message).not.toContain('s3cr3t');

      const basic = new MlflowClient({
        baseUrl: fake.url,
        auth: { type: 'basic', username: 'admin', password: 'pa55' },
      });
      await basic.getExperiment('1').catch(() => undefined);

      expect(fake.requests.map(r => r.headers.authorization)).toEqual([
        'Bearer s3cr3t-token',
        `Basic ${Buffer.from('admin:pa55').toString('base64')}`,
      ]);
      expect(fake.requests[0].url).toBe(
        '/api/2.0/mlflow/experiments/get?experiment_id=1',
      );
    } finally {
      await fake.close();
    }
  });

  it('marks throttling and unavailability as retryable', async () => {
    const replies = [
      { status: 429, code: 'REQUEST_LIMIT_EXCEEDED' },
      { status: 503, code: 'TEMPORARILY_UNAVAILABLE' },
    ];
    let i = 0;
    const fake = await startFakeServer(() => {
      const reply = replies[i++];
      return {
        status: reply.status,
        body: JSON.stringify({ error_code: reply.code, message: 'slow down' }),
      };
    });
    try {
      const client = new MlflowClient({ baseUrl: fake.url });
      for (const reply of replies) {
        await expect(client.getExperiment('1')).rejects.toMatchObject({
          status: reply.status,
          code: reply.code,
          retryable: true,
        });
      }
    } finally {
      await fake.close();
    }
  });

  it('times out a request that never answers', async () => {
    const fake = await startFakeServer(() => 'hang');
    try {
      const client = new MlflowClient({ baseUrl: fake.url, timeoutMs: 300 });
      await expect(client.getExperiment('1')).rejects.toMatchObject({
        retryable: true,
        message: expect.stringContaining('the request timed out after 300 ms'),
      });
    } finally {
      await fake.close();
    }
  });

  it('rejects a 200 answer that is not JSON', async () => {
    const fake = await startFakeServer(() => ({
      status: 200,
      body: '<html>proxy login</html>',
      contentType: 'text/html',
    }));
    try {
      const client = new MlflowClient({ baseUrl: fake.url });
      await expect(client.getExperiment('1')).rejects.toMatchObject({
        retryable: true,
        message: expect.stringContaining('with a body that is not JSON'),
      });
    } finally {
      await fake.close();
    }
  });
});

describe('MlflowClient.fromConfig', () => {
  it('reads the URL, the credentials and the timeout', async () => {
    const fake = await startFakeServer(() => ({ status: 200, body: '{}' }));
    try {
      const client = MlflowClient.fromConfig(
        new ConfigReader({
          baseUrl: `${fake.url}/`,
          username: 'u',
          password: 'p',
          requestTimeout: { seconds: 3 },
        }),
      );
      expect(client.baseUrl).toBe(fake.url);
      await client.getExperiment('7');
      expect(fake.requests[0].headers.authorization).toBe(
        `Basic ${Buffer.from('u:p').toString('base64')}`,
      );
    } finally {
      await fake.close();
    }
  });

  it.each([
    [{ baseUrl: 'not a url' }, "mlflow.baseUrl is not a URL: 'not a url'"],
    [{ baseUrl: 'ftp://host' }, 'mlflow.baseUrl must be an http or https URL'],
    [
      { baseUrl: 'http://u:p@host' },
      'mlflow.baseUrl must not contain credentials',
    ],
    [
      { baseUrl: 'http://host', token: 't', username: 'u', password: 'p' },
      'mlflow: set either token or username and password, not both',
    ],
    [
      { baseUrl: 'http://host', username: 'u' },
      'mlflow: username and password go together',
    ],
  ])('rejects %j', (data, message) => {
    expect(() => MlflowClient.fromConfig(new ConfigReader(data))).toThrow(
      message,
    );
  });
});
