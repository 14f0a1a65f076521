// Per-source token buckets through the real route: an event costs tokens by
// its priority (9 → 1, 4 → 3, 0 → 4; priority-cost.ts), a source out of
// tokens gets 429 PLEXUS_RATE_LIMITED with Retry-After, a delivery refused
// that way keeps its id free for the retry, and a resent copy (409) gives
// its tokens back. The buckets refill at
// one token per 100 s, so nothing refills while the test runs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { WebhookSourceConfig } from '../../src/ingress/webhook/index.ts';
import { WebhookFixture, type Answer } from './http-fixture.ts';
import { assertRefused } from './http-requests.ts';

const unlimited: WebhookSourceConfig = { signature: { scheme: 'none' }, type: { from: 'fixed', value: 'internal.job' }, deliveryId: { from: 'header', header: 'X-Delivery-Id' } };
const limited = (): WebhookSourceConfig => ({ ...unlimited, rateLimit: { perSecond: 0.01, burst: 4 } });

let fixture: WebhookFixture;
let accepted = 0;

before(async () => {
  fixture = await WebhookFixture.start({ urgent: limited(), bulk: limited(), mixed: limited(), resent: limited(), open: unlimited });
});

after(async () => {
  await fixture?.stop();
});

async function send(source: string, priority: number, delivery = randomUUID()): Promise<Answer> {
  const answer = await fixture.post(source, JSON.stringify({ priority }), { 'ce-priority': String(priority), 'x-delivery-id': delivery });
  if (answer.status === 202) accepted++;
  return answer;
}

function assertRateLimited(answer: Answer, minRetryAfterSec: number): void {
  assertRefused(answer, 429, 'PLEXUS_RATE_LIMITED', /over its rate limit/);
  const retryAfter = Number(answer.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= minRetryAfterSec, `Retry-After ${answer.headers.get('retry-after')}`);
}

test('critical events (priority 9) cost 1 token: a burst of 4 passes four, the fifth is 429 with Retry-After', async () => {
  for (let i = 0; i < 4; i++) assert.equal((await send('urgent', 9)).status, 202);
  assertRateLimited(await send('urgent', 9), 60);
});

test('low events (priority 0) cost 4 tokens: the same burst passes one', async () => {
  assert.equal((await send('bulk', 0)).status, 202);
  assertRateLimited(await send('bulk', 0), 60);
});

test('a delivery refused for its cost keeps its id: the retry at a priority the bucket can pay is accepted', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await send('mixed', 9)).status, 202);
  const delivery = randomUUID();
  // One token left: enough to read the request, not enough for a normal event (3 tokens).
  assertRateLimited(await send('mixed', 4, delivery), 100);
  const retry = await send('mixed', 9, delivery);
  assert.equal(retry.status, 202, JSON.stringify(retry.body));
  assert.equal((await fixture.recorded(delivery)).priority, 9);
});

test('resent copies of an accepted delivery (409) keep no tokens: the sender\'s new deliveries still pass', async () => {
  const delivery = randomUUID();
  assert.equal((await send('resent', 9, delivery)).status, 202);
  for (let i = 0; i < 6; i++) assertRefused(await send('resent', 9, delivery), 409, 'PLEXUS_REPLAYED', /already/);
  for (let i = 0; i < 3; i++) assert.equal((await send('resent', 9)).status, 202, 'the bucket still holds what only the accepted ones took');
  assertRateLimited(await send('resent', 9), 60);
});

test('limits are per source: a source without rateLimit is not throttled by the others', async () => {
  for (let i = 0; i < 10; i++) assert.equal((await send('open', 0)).status, 202);
});

test('rate-limited requests never reached the plugin', async () => {
  await fixture.settled();
  assert.equal(await fixture.received(), accepted);
});

test('webhook deliveries are counted per source: received, accepted, refused by code, and rate-limit hits', async () => {
  const text = await fixture.host.metrics.text();
  const sample = (labels: string) => Number(new RegExp(`^plexus_ingress_events_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const received = sample('source="webhook/urgent",outcome="received",reason=""');
  const ok = sample('source="webhook/urgent",outcome="accepted",reason=""');
  const limited = sample('source="webhook/urgent",outcome="refused",reason="PLEXUS_RATE_LIMITED"');
  assert.ok(ok >= 4 && limited >= 1, text.split('\n').filter((l) => l.includes('webhook/urgent')).join('\n'));
  assert.equal(received, ok + limited);
  assert.match(text, /^plexus_rate_limit_hits_total\{scope="source",key="webhook\/urgent"\} [1-9]/m);
});
