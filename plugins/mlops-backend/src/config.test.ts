import { ConfigReader } from '@backstage/config';
import { readMlopsOptions } from './config';

describe('readMlopsOptions', () => {
  it('starts with no config: no executor, internal registry, safe defaults', () => {
    const options = readMlopsOptions(new ConfigReader({}));
    expect(options.ray).toBeUndefined();
    expect(options.mlflow).toBeUndefined();
    expect(options.rayServe).toBeUndefined();
    expect(options.local).toMatchObject({
      enabled: false,
      maxConcurrentRuns: 2,
      timeoutMs: 3_600_000,
    });
    expect(options.training).toMatchObject({
      workingDirRoots: [],
      maxWorkingDirBytes: 100 * 1024 * 1024,
      engineRetryTimeoutMs: 15 * 60_000,
    });
    expect(options.reconciler).toMatchObject({
      frequency: { seconds: 5 },
      timeout: { minutes: 1 },
      leaseMs: 30_000,
      batchSize: 50,
    });
    expect(options.health).toEqual({
      modelIndex: { maxAgeMs: 60_000 },
      readDecisionTtlMs: 10_000,
    });
  });

  it('reads the model index and the kept read decisions of the health routes, and turns them off', () => {
    expect(
      readMlopsOptions(
        new ConfigReader({
          mlops: {
            health: { modelIndex: { maxAge: '30s' }, readDecisionTtl: '2s' },
          },
        }),
      ).health,
    ).toEqual({ modelIndex: { maxAgeMs: 30_000 }, readDecisionTtlMs: 2_000 });
    expect(
      readMlopsOptions(
        new ConfigReader({
          mlops: {
            health: {
              modelIndex: { enabled: false },
              readDecisionTtl: { seconds: 0 },
            },
          },
        }),
      ).health,
    ).toEqual({ modelIndex: undefined, readDecisionTtlMs: 0 });
    expect(() =>
      readMlopsOptions(
        new ConfigReader({
          mlops: { health: { modelIndex: { maxAge: { seconds: 0 } } } },
        }),
      ),
    ).toThrow('mlops.health.modelIndex.maxAge must be longer than 0');
  });

  it('reads every section; Ray Serve defaults to the Ray dashboard', () => {
    const options = readMlopsOptions(
      new ConfigReader({
        mlops: {
          executors: {
            default: 'ray',
            ray: { url: 'http://ray:8265/', token: 't', requestTimeout: '3s' },
            local: { enabled: true, timeout: { minutes: 5 }, env: { A: 'b' } },
          },
          training: {
            workingDirRoots: ['/srv/ml'],
            engineRetryTimeout: 'PT1M',
          },
          mlflow: { baseUrl: 'http://mlflow:5000' },
          targets: {
            lambda: {
              region: 'eu-west-1',
              credentials: { accessKeyId: 'a', secretAccessKey: 's' },
            },
            rayServe: { importPath: 'app:main' },
          },
          reconciler: { frequency: { seconds: 1 }, leaseTimeout: '10s' },
        },
      }),
    );
    expect(options.defaultExecutor).toBe('ray');
    expect(options.ray).toEqual({
      url: 'http://ray:8265',
      token: 't',
      requestTimeoutMs: 3000,
    });
    expect(options.local).toMatchObject({
      enabled: true,
      timeoutMs: 300_000,
      env: { A: 'b' },
    });
    expect(options.training.engineRetryTimeoutMs).toBe(60_000);
    expect(options.mlflow?.url).toBe('http://mlflow:5000');
    expect(options.lambda).toMatchObject({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 's' },
    });
    expect(options.rayServe).toMatchObject({
      url: 'http://ray:8265',
      token: 't',
      importPath: 'app:main',
    });
    expect(options.reconciler).toMatchObject({
      frequency: { seconds: 1 },
      leaseMs: 10_000,
    });
  });

  it('rejects an unknown executor and a malformed URL', () => {
    expect(() =>
      readMlopsOptions(
        new ConfigReader({ mlops: { executors: { default: 'spark' } } }),
      ),
    ).toThrow("mlops.executors.default must be 'ray' or 'local'");
    expect(() =>
      readMlopsOptions(
        new ConfigReader({
          mlops: { executors: { ray: { url: 'not a url' } } },
        }),
      ),
    ).toThrow('Invalid URL');
  });
});
