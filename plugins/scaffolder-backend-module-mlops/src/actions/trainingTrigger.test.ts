import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  registerMswTestHooks,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
// A contract test: the action against the real mlops backend, not a fake of it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@synth/plugin-mlops-backend';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { createActionContext } from '../__testUtils__/actionContext';
import { eventually } from '../__testUtils__/eventually';
import { scaffolderModuleMlops } from '../module';
import {
  createTrainingTriggerAction,
  idempotencyKeyFor,
} from './trainingTrigger';

jest.setTimeout(60_000);

describe('mlops:training:trigger against the mlops backend', () => {
  const project = createMockDirectory({
    content: {
      'catalog-info.yaml': '# the model lives here\n',
      'train.py': 'print(\'mlops-result: {"metrics": {"accuracy": 0.9}}\')\n',
    },
  });
  const runs = createMockDirectory();
  const model: Entity = {
    apiVersion: 'mlops.synth.dev/v1alpha1',
    kind: 'MLModel',
    metadata: {
      name: 'churn-lite',
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': `file:${project.path}/catalog-info.yaml`,
      },
    },
    spec: {
      type: 'classification',
      lifecycle: 'experimental',
      owner: 'group:default/customer-ml',
      training: { entrypoint: 'python3 train.py', workingDir: '.' },
    },
  };

  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let action: TemplateAction<any, any, any>;
  /** Lookups of the model that answer "not found" before it shows up. */
  let hiddenLookups = 0;

  beforeAll(async () => {
    const catalog = catalogServiceMock({ entities: [model] });
    const actions: TemplateAction<any, any, any>[] = [];
    backend = await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          {
            addActions: (...a: TemplateAction<any, any, any>[]) =>
              actions.push(...a),
          },
        ],
      ],
      features: [
        scaffolderModuleMlops,
        mlopsPlugin,
        catalogServiceMock.mock({
          getEntityByRef: async (ref: any, options: any) => {
            if (hiddenLookups > 0) {
              hiddenLookups -= 1;
              return undefined;
            }
            return catalog.getEntityByRef(ref, options);
          },
        }).factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              executors: {
                local: {
                  enabled: true,
                  path: '/usr/local/bin:/usr/bin:/bin',
                  workspaceDir: runs.path,
                },
              },
            },
          },
        }),
      ],
    });
    action = actions.find(a => a.id === 'mlops:training:trigger')!;
  });

  afterAll(() => backend.stop());

  async function trigger(options: {
    taskId: string;
    stepId?: string;
    input?: Record<string, unknown>;
    credentials?: ReturnType<typeof mockCredentials.user>;
  }) {
    const { ctx, outputs } = createActionContext(action, {
      input: { entityRef: 'mlmodel:default/churn-lite', ...options.input },
      workspacePath: project.path,
      taskId: options.taskId,
      stepId: options.stepId ?? 'train',
      credentials: options.credentials,
    });
    await action.handler(ctx);
    return outputs;
  }

  it('starts a run as the user, and a retried step gets the same run back', async () => {
    const first = await trigger({ taskId: 'task-a' });
    expect(first).toEqual({
      runId: expect.any(String),
      status: expect.stringMatching(/^(pending|submitted|running|succeeded)$/),
      replayed: false,
      runUrl: expect.stringMatching(/\/api\/mlops\/runs\//),
    });

    const again = await trigger({ taskId: 'task-a' });
    expect(again.runId).toBe(first.runId);
    expect(again.replayed).toBe(true);

    const otherStep = await trigger({ taskId: 'task-a', stepId: 'retrain' });
    expect(otherStep.runId).not.toBe(first.runId);

    // The run belongs to the user who ran the template and really runs.
    const run = await eventually(async () => {
      const response = await request(backend.server)
        .get(`/api/mlops/runs/${first.runId}`)
        .set('authorization', mockCredentials.user.header());
      expect(response.body.status).toBe('succeeded');
      return response.body;
    });
    expect(run.createdBy).toBe('user:default/mock');
    expect(run.metrics).toEqual({ accuracy: 0.9 });
  });

  it('keeps asking while the catalog has not ingested the model yet', async () => {
    hiddenLookups = 2;
    const outputs = await trigger({
      taskId: 'task-b',
      input: { waitSeconds: 20 },
    });
    expect(outputs.replayed).toBe(false);
    expect(hiddenLookups).toBe(0);
  });

  it('gives up with the reason when the model never shows up', async () => {
    await expect(
      trigger({
        taskId: 'task-c',
        input: { entityRef: 'mlmodel:default/unknown', waitSeconds: 2 },
      }),
    ).rejects.toThrow(
      /Could not start a training run of mlmodel:default\/unknown within 2s .*mlmodel:default\/unknown is not in the catalog yet/,
    );
  });

  it('fails at once, with the backend reason, for parameters the model does not declare', async () => {
    await expect(
      trigger({ taskId: 'task-d', input: { parameters: { epochs: 3 } } }),
    ).rejects.toThrow(
      /The mlops backend refused to train mlmodel:default\/churn-lite: .*epochs/,
    );
  });

  it('explains that the backend trains for signed-in users only when the task has no user', async () => {
    await expect(
      trigger({
        taskId: 'task-e',
        credentials: mockCredentials.service() as any,
      }),
    ).rejects.toThrow(
      'The mlops backend starts training runs for signed-in users only, and this task has no user',
    );
  });
});

describe('mlops:training:trigger', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const BASE = 'http://mlops.test/api/mlops';
  const RUNS = `${BASE}/models/default/churn-lite/runs`;
  const action = createTrainingTriggerAction({
    discovery: mockServices.discovery.mock({ getBaseUrl: async () => BASE }),
    auth: mockServices.auth(),
  });
  const workspace = createMockDirectory();

  function run(input: Record<string, unknown>, isDryRun = false) {
    const { ctx, outputs } = createActionContext(action, {
      input: input as any,
      workspacePath: workspace.path,
      isDryRun,
      taskId: 'task-1',
      stepId: 'train',
    });
    return { promise: action.handler(ctx), outputs };
  }

  it('sends the idempotency key, the user token and the parameters', async () => {
    const seen: Array<{ key: string | null; auth: string | null; body: any }> =
      [];
    server.use(
      http.post(RUNS, async ({ request: req }) => {
        seen.push({
          key: req.headers.get('idempotency-key'),
          auth: req.headers.get('authorization'),
          body: await req.json(),
        });
        return HttpResponse.json(
          { id: 'run-1', status: 'pending' },
          { status: 202 },
        );
      }),
    );
    const { promise, outputs } = run({
      entityRef: 'churn-lite',
      parameters: { max_depth: 4, balance: true, note: 'first' },
    });
    await promise;
    expect(seen).toEqual([
      {
        key: 'scaffolder:task-1:train',
        auth: expect.stringMatching(/^Bearer .+/),
        body: { parameters: { max_depth: 4, balance: true, note: 'first' } },
      },
    ]);
    expect(outputs).toEqual({
      runId: 'run-1',
      status: 'pending',
      replayed: false,
      runUrl: `${BASE}/runs/run-1`,
    });
  });

  it('retries an unavailable backend with the same key until it answers', async () => {
    const keys: Array<string | null> = [];
    let calls = 0;
    server.use(
      http.post(RUNS, ({ request: req }) => {
        keys.push(req.headers.get('idempotency-key'));
        calls += 1;
        if (calls === 1) {
          return HttpResponse.json(
            {
              error: {
                name: 'ServiceUnavailableError',
                message: 'Ray is down',
              },
            },
            { status: 503 },
          );
        }
        if (calls === 2) {
          return HttpResponse.error();
        }
        return HttpResponse.json(
          { id: 'run-7', status: 'submitted' },
          { status: 202, headers: { 'Idempotent-Replayed': 'true' } },
        );
      }),
    );
    const { promise, outputs } = run({
      entityRef: 'mlmodel:default/churn-lite',
      waitSeconds: 30,
    });
    await promise;
    expect(keys).toEqual(Array(3).fill('scaffolder:task-1:train'));
    expect(outputs.replayed).toBe(true);
    expect(outputs.runId).toBe('run-7');
  });

  it.each([
    [
      403,
      'NotAllowedError',
      /You may not train mlmodel:default\/churn-lite .*not an owner/,
    ],
    [409, 'ConflictError', /conflicts with an earlier one: .*not an owner/],
    [
      400,
      'InputError',
      /refused to train mlmodel:default\/churn-lite: not an owner/,
    ],
  ])('fails at once on %s', async (status, name, message) => {
    let calls = 0;
    server.use(
      http.post(RUNS, () => {
        calls += 1;
        return HttpResponse.json(
          { error: { name, message: 'not an owner' } },
          { status },
        );
      }),
    );
    await expect(run({ entityRef: 'churn-lite' }).promise).rejects.toThrow(
      message,
    );
    expect(calls).toBe(1);
  });

  it('sends nothing in a dry run', async () => {
    const { promise, outputs } = run({ entityRef: 'churn-lite' }, true);
    await promise;
    expect(outputs).toEqual({
      runId: 'dry-run',
      status: 'pending',
      replayed: false,
      runUrl: `${BASE}/runs/dry-run`,
    });
  });

  it.each([
    [
      { entityRef: 'component:default/churn-lite' },
      'entityRef must reference an MLModel',
    ],
    [{ entityRef: '' }, 'entityRef is invalid'],
    [
      { entityRef: 'churn-lite', parameters: { note: '{{ 7*7 }}' } },
      'parameters.note must not contain template syntax',
    ],
  ])('refuses the input %j, naming the field', async (input, message) => {
    await expect(run(input).promise).rejects.toThrow(message);
  });

  it('derives the idempotency key from the task and the step', () => {
    expect(idempotencyKeyFor('t 1', 's\u00e9')).toBe('scaffolder:t_1:s_');
    expect(idempotencyKeyFor('t', undefined)).toBe(
      'scaffolder:t:mlops:training:trigger',
    );
    expect(idempotencyKeyFor('x'.repeat(300)).length).toBe(255);
  });
});
