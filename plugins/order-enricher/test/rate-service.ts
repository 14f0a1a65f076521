// A real HTTP rate service on 127.0.0.1 for the tests: answers
// GET /v1/rates?from=&to= with {"rate": ...} when the x-api-key header is
// right, and can be told to fail to exercise the plugin's retry path.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export const API_KEY = 'test-api-key';

export interface RateService {
  /** "127.0.0.1:<port>": the http grant and the manifest's host. */
  readonly host: string;
  readonly url: string;
  readonly requests: { url: string; headers: IncomingHttpHeaders }[];
  /** Answer every request with this status from now on (undefined: serve rates). */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

export async function startRateService(rates: Record<string, number>): Promise<RateService> {
  const requests: RateService['requests'] = [];
  let failure: number | undefined;
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const query = new URL(req.url ?? '/', 'http://rates').searchParams;
    const rate = rates[`${query.get('from')}->${query.get('to')}`];
    const status = failure ?? (req.headers['x-api-key'] !== API_KEY ? 401 : rate === undefined ? 404 : 200);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { rate } : { error: status }));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `http://${host}`,
    requests,
    failWith: (status) => void (failure = status),
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}
