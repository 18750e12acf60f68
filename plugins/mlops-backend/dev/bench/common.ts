/* eslint-disable no-console */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import knexFactory from 'knex';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { httpRequest } from './load';

export function log(message: string) {
  console.log(`[bench] ${message}`);
}

export function requirePostgres(): string {
  const id = process.env.SYNTH_TEST_POSTGRES_ID;
  const url =
    id &&
    process.env[
      `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
    ];
  if (!url) {
    throw new Error(
      "PostgreSQL is not set up: run 'source scripts/lib.sh && ensure_postgres' in this shell first",
    );
  }
  return url;
}

/** Drops every database whose name starts with the prefix. */
export async function dropDatabases(prefix: string): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: requirePostgres() });
  try {
    // Exact prefix match: '_' is a wildcard in LIKE.
    const { rows } = await admin.raw('select datname from pg_database');
    for (const { datname } of rows.filter((r: { datname: string }) =>
      r.datname.startsWith(prefix),
    )) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return os.cpus().length >= 2;
  } catch {
    return false;
  }
}

/** A working directory for the bench backend: catalog file and training dir. */
export function benchDir(): string {
  const dir = path.join(os.tmpdir(), 'synth-mlops-bench');
  fs.mkdirSync(path.join(dir, 'training'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'catalog-info.yaml'), '# synthetic\n');
  fs.rmSync(path.join(dir, 'profile.log'), { force: true });
  fs.copyFileSync(
    path.join(__dirname, '..', '..', 'src', '__testUtils__', 'train.py'),
    path.join(dir, 'training', 'train.py'),
  );
  return dir;
}

/** The bench backend process, pinned to CPU 1 when taskset is available. */
export class BenchBackend {
  private child?: ChildProcess;
  private output = '';
  readonly url: string;

  /**
   * The profile lines (event-loop delay, GC pauses per 10 s) the backend
   * wrote from `since` (an ISO time) on.
   */
  profileSince(since: string): string[] {
    const file = path.join(this.options.dir, 'profile.log');
    if (!fs.existsSync(file)) {
      return [];
    }
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(line => line && line.slice(0, 24) >= since);
  }

  constructor(
    private readonly options: {
      port: number;
      prefix: string;
      models: number;
      dir: string;
      mlops?: object;
      pin: boolean;
      /** false: no catalog processing while measuring (reliability-security.md §4.1). */
      processing?: boolean;
    },
  ) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  async start(): Promise<void> {
    const config = {
      app: { baseUrl: 'http://localhost:3000' },
      backend: {
        baseUrl: this.url,
        listen: { port: this.options.port, host: '127.0.0.1' },
        database: {
          client: 'pg',
          connection: requirePostgres(),
          prefix: this.options.prefix,
        },
      },
      auth: {
        environment: 'development',
        providers: {
          guest: {
            userEntityRef: 'user:default/guest',
            dangerouslyAllowOutsideDevelopment: true,
          },
        },
      },
      permission: { enabled: true },
      catalog: {
        processingInterval:
          this.options.processing === false ? false : { minutes: 60 },
        stitchingStrategy: { mode: 'deferred' },
      },
      mlops: this.options.mlops ?? {},
    };
    const node = [
      '--max-old-space-size=1536',
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(__dirname, 'benchBackend.ts'),
    ];
    const [command, args] = this.options.pin
      ? ['taskset', ['-c', '1', process.execPath, ...node]]
      : [process.execPath, node];
    this.child = spawn(command, args, {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        MLOPS_BENCH: JSON.stringify({
          config,
          models: this.options.models,
          dir: this.options.dir,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-100_000);
    };
    this.child.stdout!.on('data', append);
    this.child.stderr!.on('data', append);
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new Error(
          `the bench backend exited:\n${this.output.slice(-3000)}`,
        );
      }
      try {
        const res = await httpRequest(
          `${this.url}/.backstage/health/v1/readiness`,
        );
        if (res.status === 200) {
          return;
        }
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the bench backend did not get ready:\n${this.output.slice(-3000)}`,
        );
      }
      await new Promise(r => setTimeout(r, 500));
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) {
      return;
    }
    const exited = new Promise(r => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  /** A guest user token from the real auth backend. */
  async guestToken(): Promise<string> {
    const res = await httpRequest(`${this.url}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    if (res.status !== 200) {
      throw new Error(`guest sign-in failed: ${res.status} ${res.body}`);
    }
    return JSON.parse(res.body).backstageIdentity.token;
  }

  /** Waits until the catalog serves `count` MLModels. */
  async waitForModels(count: number, token: string): Promise<void> {
    let last = -1;
    const started = Date.now();
    for (;;) {
      const res = await httpRequest(
        `${this.url}/api/catalog/entities/by-query?filter=kind=mlmodel&limit=1&fields=metadata.name`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const total = res.status === 200 ? JSON.parse(res.body).totalItems : 0;
      if (total >= count) {
        log(
          `catalog holds ${total} MLModels (${Math.round(
            (Date.now() - started) / 1000,
          )} s)`,
        );
        return;
      }
      if (total !== last) {
        log(`catalog: ${total}/${count} MLModels processed`);
        last = total;
      }
      await new Promise(r => setTimeout(r, 10_000));
    }
  }
}
