/* eslint-disable no-console */
/*
 * bench:trigger - time from POST /api/mlops/models/:ns/:name/runs to the Ray
 * job being RUNNING, against a direct Ray Jobs submit of the same job in the
 * same run (alternating, same entrypoint and working_dir package). Target:
 * overhead <= 200 ms (median).
 *
 *   source scripts/lib.sh && ensure_toolchain && ensure_postgres
 *   yarn workspace @synth/plugin-mlops-backend bench:trigger
 *
 * Environment: BENCH_TRIGGERS (20). Starts Ray through scripts/engines.sh.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { startEngine } from '../../src/__testUtils__/engines';
import { RayJobsClient, RayJobDetails } from '../../src/engines/RayJobsClient';
import {
  BenchBackend,
  benchDir,
  dropDatabases,
  freePort,
  hasTaskset,
  log,
  requirePostgres,
} from './common';
import { fmt, httpRequest, median } from './load';

const TRIGGERS = Number(process.env.BENCH_TRIGGERS ?? 20);

async function untilAccepted(ray: RayJobsClient, submissionId: string) {
  const deadline = Date.now() + 60_000;
  while (!(await ray.getJob(submissionId).catch(() => undefined))) {
    if (Date.now() > deadline) {
      throw new Error(`job ${submissionId} did not reach Ray within 60 s`);
    }
    await new Promise(r => setTimeout(r, 5));
  }
}

async function untilRunning(
  ray: RayJobsClient,
  submissionId: string,
): Promise<RayJobDetails> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await ray.getJob(submissionId).catch(() => undefined);
    if (job && job.status !== 'PENDING') {
      if (job.status !== 'RUNNING' && job.status !== 'SUCCEEDED') {
        throw new Error(
          `job ${submissionId} ended ${job.status}: ${job.message}`,
        );
      }
      return job;
    }
    if (Date.now() > deadline) {
      throw new Error(`job ${submissionId} did not start within 120 s`);
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

async function main() {
  requirePostgres();
  const rayUrl = await startEngine('ray');
  const ray = new RayJobsClient({ baseUrl: rayUrl, timeoutMs: 30_000 });
  const pin = hasTaskset();
  const prefix = `mlops_bench_trigger_${randomBytes(3).toString('hex')}_`;
  const backend = new BenchBackend({
    port: await freePort(),
    prefix,
    models: 0,
    dir: benchDir(),
    pin,
    mlops: { executors: { ray: { url: rayUrl } } },
  });
  log(
    `starting the backend (${
      pin ? 'pinned to CPU 1' : 'unpinned'
    }), Ray at ${rayUrl}`,
  );
  await backend.start();
  try {
    const token = await backend.guestToken();
    await backend.waitForModels(1, token);
    const headers = { authorization: `Bearer ${token}` };
    // The direct submissions send exactly the runtime_env and metadata the
    // plugin sent (with their own run id), so only the path differs.
    let runtimeEnv: {
      working_dir?: string;
      env_vars?: Record<string, string>;
    } = {};
    let metadata: Record<string, string> = {};

    const viaPlugin = async () => {
      const started = performance.now();
      const res = await httpRequest(
        `${backend.url}/api/mlops/models/default/bench-trainable/runs`,
        {
          method: 'POST',
          headers: {
            ...headers,
            'idempotency-key': randomBytes(8).toString('hex'),
          },
          body: JSON.stringify({ parameters: { sleep: 1 } }),
        },
      );
      if (res.status !== 202) {
        throw new Error(`POST answered ${res.status}: ${res.body}`);
      }
      const postMs = performance.now() - started;
      const submissionId = `mlops-${JSON.parse(res.body).id}`;
      await untilAccepted(ray, submissionId);
      const acceptedMs = performance.now() - started;
      const job = await untilRunning(ray, submissionId);
      runtimeEnv = (job as any).runtime_env ?? runtimeEnv;
      metadata = job.metadata ?? metadata;
      return {
        total: performance.now() - started,
        postMs,
        acceptedMs,
        entrypoint: job.entrypoint!,
      };
    };
    const direct = async (entrypoint: string) => {
      const started = performance.now();
      const submissionId = `bench-direct-${randomBytes(6).toString('hex')}`;
      const runId = randomBytes(8).toString('hex');
      await ray.submitJob({
        submissionId,
        entrypoint,
        runtimeEnv: {
          working_dir: runtimeEnv.working_dir,
          env_vars: { ...runtimeEnv.env_vars, MLOPS_RUN_ID: runId },
        },
        metadata: { ...metadata, 'mlops.synth.dev/run-id': runId },
      });
      const acceptedMs = performance.now() - started;
      await untilRunning(ray, submissionId);
      return { total: performance.now() - started, acceptedMs };
    };

    // Warm-up: the first plugin run uploads the working directory package.
    const warm = await viaPlugin();
    await direct(warm.entrypoint);

    const ours: number[] = [];
    const theirs: number[] = [];
    const posts: number[] = [];
    const overhead: number[] = [];
    const acceptOverhead: number[] = [];
    for (let i = 0; i < TRIGGERS; i++) {
      // Alternate which goes first, so neither always meets a busier Ray.
      let plugin: Awaited<ReturnType<typeof viaPlugin>>;
      let raw: { total: number; acceptedMs: number };
      if (i % 2 === 0) {
        plugin = await viaPlugin();
        raw = await direct(plugin.entrypoint);
      } else {
        raw = await direct(warm.entrypoint);
        plugin = await viaPlugin();
      }
      ours.push(plugin.total);
      theirs.push(raw.total);
      posts.push(plugin.postMs);
      overhead.push(plugin.total - raw.total);
      acceptOverhead.push(plugin.acceptedMs - raw.acceptedMs);
      log(
        `#${i + 1}: plugin POST->RUNNING ${fmt(
          plugin.total,
        )} (POST answered ${fmt(plugin.postMs)}, job in Ray ${fmt(
          plugin.acceptedMs,
        )}), direct submit->RUNNING ${fmt(raw.total)} (job in Ray ${fmt(
          raw.acceptedMs,
        )})`,
      );
      await new Promise(r => setTimeout(r, 1500)); // let the 1 s jobs end
    }
    const sorted = [...overhead].sort((a, b) => a - b);
    console.log('');
    console.log(
      `bench:trigger - ${TRIGGERS} alternating pairs, real Ray ${rayUrl}, PostgreSQL, ${
        pin ? 'backend pinned to CPU 1' : 'unpinned'
      }`,
    );
    console.log(
      `  plugin POST -> Ray RUNNING:  median ${fmt(median(ours))} (range ${fmt(
        Math.min(...ours),
      )} .. ${fmt(Math.max(...ours))})`,
    );
    console.log(
      `  direct submit -> RUNNING:    median ${fmt(
        median(theirs),
      )} (range ${fmt(Math.min(...theirs))} .. ${fmt(Math.max(...theirs))})`,
    );
    console.log(
      `  POST response time:          median ${fmt(median(posts))} (range ${fmt(
        Math.min(...posts),
      )} .. ${fmt(Math.max(...posts))})`,
    );
    console.log(
      `  overhead to RUNNING (plugin - direct, per pair): median ${fmt(
        median(overhead),
      )} (range ${fmt(sorted[0])} .. ${fmt(sorted[sorted.length - 1])})`,
    );
    console.log(
      `  overhead to the job being in Ray (plugin - direct): median ${fmt(
        median(acceptOverhead),
      )} (range ${fmt(Math.min(...acceptOverhead))} .. ${fmt(
        Math.max(...acceptOverhead),
      )})`,
    );
    console.log(
      `  target overhead <= 200 ms: ${
        median(overhead) <= 200 ? 'met' : 'NOT met'
      } (to RUNNING), ${
        median(acceptOverhead) <= 200 ? 'met' : 'NOT met'
      } (to acceptance; Ray's own PENDING->RUNNING time varies by seconds on a loaded 2-core machine)`,
    );
    console.log(
      `  1-min load average ${os.loadavg()[0].toFixed(1)} on ${
        os.cpus().length
      } CPUs`,
    );
  } finally {
    await backend.stop();
    await dropDatabases(prefix);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
