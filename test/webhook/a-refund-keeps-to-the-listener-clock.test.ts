// The listener's rate limits read one clock, the injected `now`: a resent
// copy (409) gives back the tokens it was charged at that clock's time. A
// refund stamped with the wall clock instead moved the bucket's mark to
// today and refilled it by all the time in between: after one resent copy a
// source over its limit had its whole burst again.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startWebhookServer, type WebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { readAnswer, WebhookFixture, type Answer } from './http-fixture.ts';
import { assertRefused } from './http-requests.ts';
import { NOW_MS } from './helpers.ts';

const SOURCES = {
  limited: {
    signature: { scheme: 'none' as const },
    type: { from: 'fixed' as const, value: 'internal.job' },
    deliveryId: { from: 'header' as const, header: 'X-Delivery-Id' },
    rateLimit: { perSecond: 1, burst: 3 },
  },
};

let fixture: WebhookFixture;
let server: WebhookServer;

before(async () => {
  fixture = await WebhookFixture.start({});
  // The real host and store, behind a listener whose clock stands still (a year before the wall clock).
  server = await startWebhookServer({ host: fixture.host, sources: parseWebhookSources(SOURCES, { env: {} }), logger: fixture.logger, listen: { host: '127.0.0.1', port: 0 }, now: () => NOW_MS });
});

after(async () => {
  await server?.close();
  await fixture?.stop();
});

async function send(delivery: string): Promise<Answer> {
  const headers = { 'content-type': 'application/json', 'ce-priority': '9', 'x-delivery-id': delivery };
  return readAnswer(await fetch(`${server.url}/hooks/limited`, { method: 'POST', headers, body: '{"job":1}' }));
}

test('with the clock standing still, a resent copy refunds its token and no more', async () => {
  const first = randomUUID();
  assert.equal((await send(first)).status, 202);
  assert.equal((await send(randomUUID())).status, 202);
  // One token left: the copy takes it, is refused as a replay, and gives it back.
  assertRefused(await send(first), 409, 'PLEXUS_REPLAYED');
  assert.equal((await send(randomUUID())).status, 202, 'the token the copy gave back');
  assertRefused(await send(randomUUID()), 429, 'PLEXUS_RATE_LIMITED');
});
