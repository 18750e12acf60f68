import { randomUUID } from 'node:crypto';
import { FakeRay } from '../__testUtils__/fakeRay';
import { startEngine } from '../__testUtils__/engines';
import { EngineError } from './EngineError';
import { RayJobsClient } from './RayJobsClient';

jest.setTimeout(15 * 60_000);

const fake = new FakeRay();
let rayUrl: string;

beforeAll(async () => {
  [rayUrl] = await Promise.all([startEngine('ray'), fake.start()]);
});

afterAll(async () => {
  await fake.stop();
});

// The same contract against the real Ray head and the fake used for failure
// paths, so the fake cannot drift from the engine.
describe.each([
  ['the real Ray head', () => rayUrl],
  ['the contract fake', () => fake.url],
])('RayJobsClient against %s', (_name, url) => {
  let client: RayJobsClient;
  beforeAll(() => {
    client = new RayJobsClient({ baseUrl: url(), timeoutMs: 30_000 });
  });

  it('treats a reused submission id as already submitted', async () => {
    const submissionId = `contract-${randomUUID()}`;
    await expect(
      client.submitJob({ submissionId, entrypoint: 'echo contract' }),
    ).resolves.toEqual({ alreadySubmitted: false });
    await expect(
      client.submitJob({ submissionId, entrypoint: 'echo contract' }),
    ).resolves.toEqual({ alreadySubmitted: true });
    const job = await client.getJob(submissionId);
    expect(job).toMatchObject({
      submission_id: submissionId,
      type: 'SUBMISSION',
    });
    expect(['PENDING', 'RUNNING', 'SUCCEEDED']).toContain(job!.status);
    const jobs = await client.listJobs();
    expect(jobs.some(j => j.submission_id === submissionId)).toBe(true);
  });

  it('reports unknown jobs', async () => {
    await expect(
      client.getJob(`missing-${randomUUID()}`),
    ).resolves.toBeUndefined();
    await expect(client.stopJob(`missing-${randomUUID()}`)).resolves.toBe(
      false,
    );
    await expect(
      client.getLogs(`missing-${randomUUID()}`),
    ).rejects.toMatchObject({
      name: 'EngineError',
      retryable: false,
      status: 404,
    });
  });

  it('rejects a malformed submission as a definite error', async () => {
    const error = await client
      .submitJob({
        submissionId: `bad-${randomUUID()}`,
        entrypoint: 'echo x',
        metadata: { n: 1 as unknown as string },
      })
      .catch(e => e);
    if (url() === fake.url) {
      // The fake does not validate metadata types; the real head does.
      return;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(400);
  });

  it('uploads a package once', async () => {
    const name = `_ray_pkg_${randomUUID().replace(/-/g, '')}.zip`;
    // An empty but valid zip archive.
    const zip = Buffer.from(`504b0506${'00'.repeat(18)}`, 'hex');
    await expect(client.uploadPackage(name, zip)).resolves.toBe(
      `gcs://${name}`,
    );
    await expect(client.uploadPackage(name, zip)).resolves.toBe(
      `gcs://${name}`,
    );
  });
});

describe('RayJobsClient failure paths (contract fake)', () => {
  it('retries an agent outage', async () => {
    const client = new RayJobsClient({ baseUrl: fake.url, timeoutMs: 5_000 });
    fake.agentOutages = 1;
    const error = await client
      .submitJob({ submissionId: `agent-${randomUUID()}`, entrypoint: 'x' })
      .catch(e => e);
    expect(error).toMatchObject({
      name: 'EngineError',
      retryable: true,
      status: 500,
    });
    expect(error.message).toContain('No available agent');
  });

  it('reports an unreachable dashboard as retryable with the reason', async () => {
    const down = new FakeRay();
    await down.start();
    const url = down.url;
    await down.stop();
    const client = new RayJobsClient({ baseUrl: url, timeoutMs: 2_000 });
    const error = await client.getJob('x').catch(e => e);
    expect(error).toMatchObject({ name: 'EngineError', retryable: true });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('times out on a hanging dashboard', async () => {
    const hanging = new FakeRay();
    await hanging.start();
    hanging.hang = true;
    try {
      const client = new RayJobsClient({
        baseUrl: hanging.url,
        timeoutMs: 300,
      });
      const error = await client.getJob('x').catch(e => e);
      expect(error).toMatchObject({ retryable: true });
      expect(error.message).toContain('request timed out');
    } finally {
      await hanging.stop();
    }
  });
});
