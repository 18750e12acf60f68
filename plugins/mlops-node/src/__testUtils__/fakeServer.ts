import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the fake server received. */
export type ReceivedRequest = {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
};

/**
 * A loopback HTTP server that answers with the handler's reply, for the
 * failure paths a real engine cannot be driven into (engines.md §8.9):
 * throttling, 503, hanging requests, bodies that are not JSON.
 */
export async function startFakeServer(
  handler: (
    req: ReceivedRequest,
  ) => { status: number; body: string; contentType?: string } | 'hang',
): Promise<{
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}> {
  const requests: ReceivedRequest[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const received = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
    };
    requests.push(received);
    const reply = handler(received);
    if (reply === 'hang') {
      open.add(res);
      return;
    }
    res.writeHead(reply.status, {
      'content-type': reply.contentType ?? 'application/json',
    });
    res.end(reply.body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const res of open) {
        res.destroy();
      }
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}
