// A stand-in for the rate service, answered through createTestHost's `fetch`
// option: GET /v1/rates?from=&to= with {"rate": ...} when the x-api-key header
// is right, and it can be told to fail to exercise the plugin's retry path.
// The plugin keeps its real manifest (rates.example.com); grants are checked
// exactly as in the host before a request reaches this function.
import type { TestFetch } from '@plexus/plugin-sdk/testing';

export const API_KEY = 'test-api-key';

export interface RateService {
  readonly answer: TestFetch;
  readonly requests: { url: string; headers: Record<string, string> }[];
  /** Answer every request with this status from now on (undefined: serve rates). */
  failWith(status: number | undefined): void;
}

export function rateService(rates: Record<string, number>): RateService {
  const requests: RateService['requests'] = [];
  let failure: number | undefined;
  return {
    requests,
    failWith: (status) => { failure = status; },
    answer: (request) => {
      const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      requests.push({ url: request.url, headers });
      const query = new URL(request.url).searchParams;
      const rate = rates[`${query.get('from')}->${query.get('to')}`];
      const status = failure ?? (headers['x-api-key'] !== API_KEY ? 401 : rate === undefined ? 404 : 200);
      return { status, headers: [['content-type', 'application/json']], body: JSON.stringify(status === 200 ? { rate } : { error: status }) };
    },
  };
}
