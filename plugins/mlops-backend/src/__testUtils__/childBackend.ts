import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { eventually } from './testBackend';

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

/**
 * A backend process (backendProcess.ts) that a test can SIGKILL and start
 * again on the same database.
 */
export class ChildBackend {
  private child?: ChildProcess;
  output = '';

  constructor(
    private readonly options: {
      port: number;
      config: object;
      catalogFile: string;
    },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    const config = {
      ...this.options.config,
      backend: {
        baseUrl: this.url,
        listen: { port: this.options.port, host: '127.0.0.1' },
        ...(this.options.config as { backend?: object }).backend,
      },
    };
    this.child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join(__dirname, 'backendProcess.ts'),
      ],
      {
        env: {
          ...process.env,
          // Not 'test': the scheduler only runs its janitor, which frees the
          // lock of a task whose worker was killed, outside tests.
          NODE_ENV: 'production',
          MLOPS_TEST_BACKEND: JSON.stringify({
            config,
            catalogFile: this.options.catalogFile,
          }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const append = (data: Buffer) => {
      this.output = (this.output + data.toString()).slice(-200_000);
    };
    this.child.stdout!.on('data', append);
    this.child.stderr!.on('data', append);
    const child = this.child;
    await eventually(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`the backend exited: ${this.output.slice(-2000)}`);
        }
        const res = await fetch(`${this.url}/.backstage/health/v1/readiness`);
        return res.ok;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'the backend to be ready' },
    );
  }

  /** SIGKILL: no shutdown hooks, leases stay taken until they expire. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
