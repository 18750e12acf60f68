import http from 'node:http';
import { AddressInfo } from 'node:net';
import { RayJobDetails, RayJobStatus } from '../engines/RayJobsClient';

/**
 * A loopback contract fake of the Ray Jobs REST API, for the failure paths a
 * real Ray head cannot be driven into (agent outage, an unreachable
 * dashboard). It mirrors Ray 2.60 as engines.md §2 describes it and as the
 * contract test checks against the real head: trailing slash on submit, list
 * = array, duplicate submission id → 500 through the head with the agent's
 * text, unknown job → 404 "Job X does not exist".
 */
export class FakeRay {
  readonly jobs = new Map<string, RayJobDetails & { logs: string }>();
  readonly packages = new Set<string>();
  /** Every POST /api/jobs/ that created a job. */
  submissions = 0;
  /** Answer submits with Ray's "No available agent" 500 this many times. */
  agentOutages = 0;
  /** Pretend to be a hanging server: accept and never answer. */
  hang = false;
  /** Record submitted jobs but never answer the submit (a crash window). */
  hangAfterAccept = false;
  /** Submits answered with "already exists". */
  duplicates = 0;
  private server?: http.Server;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>(resolve =>
      this.server!.listen(this.port, '127.0.0.1', resolve),
    );
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Closes the port: connections are refused until `start` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  }

  setStatus(id: string, status: RayJobStatus, logs?: string) {
    const job = this.jobs.get(id)!;
    job.status = status;
    if (status !== 'PENDING' && !job.start_time) {
      job.start_time = Date.now();
    }
    if (['SUCCEEDED', 'FAILED', 'STOPPED'].includes(status)) {
      job.end_time = Date.now();
    }
    if (logs !== undefined) {
      job.logs = logs;
    }
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    text = false,
  ) {
    res.writeHead(status, {
      'content-type': text ? 'text/plain' : 'application/json',
    });
    res.end(text ? String(body) : JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (this.hang) {
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url!, 'http://x');
      const p = url.pathname;
      if (req.method === 'GET' && p === '/api/version') {
        return this.send(res, 200, { version: '4', ray_version: '2.60.0' });
      }
      if (req.method === 'POST' && p === '/api/jobs/') {
        const request = JSON.parse(body.toString() || '{}');
        if (this.agentOutages > 0) {
          this.agentOutages--;
          return this.send(
            res,
            500,
            'No available agent to submit job, please try again later.',
            true,
          );
        }
        const id = request.submission_id ?? `raysubmit_${this.jobs.size}`;
        if (this.jobs.has(id)) {
          this.duplicates++;
          return this.send(
            res,
            500,
            `Traceback (most recent call last):\nRuntimeError: Request failed with status code 400: ValueError: Job with submission_id ${id} already exists. Please use a different submission_id.\n.`,
            true,
          );
        }
        this.submissions++;
        this.jobs.set(id, {
          type: 'SUBMISSION',
          submission_id: id,
          job_id: null,
          status: 'PENDING',
          entrypoint: request.entrypoint,
          message: 'Job has not started yet.',
          metadata: request.metadata ?? null,
          logs: '',
        });
        if (this.hangAfterAccept) {
          return undefined;
        }
        return this.send(res, 200, { job_id: id, submission_id: id });
      }
      if (req.method === 'GET' && p === '/api/jobs/') {
        return this.send(
          res,
          200,
          [...this.jobs.values()].map(({ logs: _logs, ...job }) => job),
        );
      }
      const jobRoute = /^\/api\/jobs\/([^/]+)(\/logs|\/stop)?$/.exec(p);
      if (jobRoute) {
        const m = jobRoute;
        const id = decodeURIComponent(m[1]);
        const job = this.jobs.get(id);
        if (!job) {
          return this.send(res, 404, `Job ${id} does not exist`, true);
        }
        if (req.method === 'GET' && !m[2]) {
          const { logs: _logs, ...details } = job;
          return this.send(res, 200, details);
        }
        if (req.method === 'GET' && m[2] === '/logs') {
          return this.send(res, 200, { logs: job.logs });
        }
        if (req.method === 'POST' && m[2] === '/stop') {
          const running = job.status === 'PENDING' || job.status === 'RUNNING';
          if (running) {
            this.setStatus(id, 'STOPPED');
            job.message = 'Job was intentionally stopped.';
          }
          return this.send(res, 200, { stopped: running });
        }
      }
      const m = /^\/api\/packages\/gcs\/([^/]+)$/.exec(p);
      if (m) {
        if (req.method === 'GET') {
          return this.packages.has(m[1])
            ? this.send(res, 200, {})
            : this.send(res, 404, `Package gcs://${m[1]} does not exist`, true);
        }
        if (req.method === 'PUT') {
          this.packages.add(m[1]);
          return this.send(res, 200, {});
        }
      }
      return this.send(res, 404, 'Not Found', true);
    });
  }
}
