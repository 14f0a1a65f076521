// Replay protection through the real route, claimed in the host's own store
// in the same transaction that accepts the event: a delivery id seen before
// is 409 PLEXUS_REPLAYED and reaches the plugin once, however many copies
// arrive at once. A delivery refused for any reason (invalid envelope, or the
// host failing to accept it durably) has claimed nothing, so the sender's
// retry of the same delivery goes through.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { Host } from '../../src/host/host.ts';
import { startWebhookServer, type WebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { readAnswer, WebhookFixture, type Answer } from './http-fixture.ts';
import { assertRefused, githubHeaders } from './http-requests.ts';

const GH_SECRET = 'gh-secret-replay';
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SOURCES = {
  github: { signature: { scheme: 'github' as const, secrets: [GH_SECRET] }, type: { from: 'header' as const, header: 'X-GitHub-Event', prefix: 'github.' } },
  svix: { signature: { scheme: 'standard-webhooks' as const, secrets: [SW_SECRET] }, type: { from: 'fixed' as const, value: 'svix.message' } },
};

let fixture: WebhookFixture;

before(async () => {
  fixture = await WebhookFixture.start(SOURCES);
});

after(async () => {
  await fixture?.stop();
});

test('GitHub: the same X-GitHub-Delivery twice is 409, and the plugin got it once', async () => {
  const body = '{"zen":"Keep it logically awesome."}';
  const headers = await githubHeaders(GH_SECRET, body);
  const first = await fixture.post('github', body, headers);
  assert.equal(first.status, 202);
  assertRefused(await fixture.post('github', body, headers), 409, 'PLEXUS_REPLAYED', new RegExp(headers['x-github-delivery'] ?? ''));
  // A redelivery from GitHub re-signs the same body under the same id: still a replay.
  assertRefused(await fixture.post('github', body, await githubHeaders(GH_SECRET, body, { 'x-github-delivery': headers['x-github-delivery'] ?? '' })), 409, 'PLEXUS_REPLAYED');
  await fixture.settled();
  assert.equal(await fixture.received(), 1);
});

test('twenty copies of one delivery sent at once: one 202, nineteen 409, one execution', async () => {
  const body = '{"burst":true}';
  const headers = await githubHeaders(GH_SECRET, body);
  await fixture.settled();
  const before = await fixture.received();
  const answers = await Promise.all(Array.from({ length: 20 }, () => fixture.post('github', body, headers)));
  assert.deepEqual(answers.map((a) => a.status).sort(), [202, ...Array.from({ length: 19 }, () => 409)]);
  await fixture.settled();
  assert.equal(await fixture.received(), before + 1);
});

test('Standard Webhooks: a captured request replayed within the tolerance is 409', async () => {
  const id = `msg_${randomUUID()}`;
  const now = new Date();
  const body = '{"n":1}';
  const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(SW_SECRET).sign(id, now, body) };
  assert.equal((await fixture.post('svix', body, headers)).status, 202);
  assertRefused(await fixture.post('svix', body, headers), 409, 'PLEXUS_REPLAYED');
});

test('a delivery refused as an invalid event after its id was claimed can be retried under the same id', async () => {
  const delivery = randomUUID();
  const bad = JSON.stringify({ specversion: '1.0', id: 'ce-retry', source: 's', type: 't.u', expiresat: 'tomorrow' });
  assertRefused(await fixture.post('github', bad, await githubHeaders(GH_SECRET, bad, { 'x-github-delivery': delivery })), 400, 'PLEXUS_INVALID_EVENT', /expiresat/);
  const fixed = JSON.stringify({ fixed: true });
  const retry = await fixture.post('github', fixed, await githubHeaders(GH_SECRET, fixed, { 'x-github-delivery': delivery }));
  assert.equal(retry.status, 202, JSON.stringify(retry.body));
  assert.deepEqual((await fixture.recorded(delivery)).data, { fixed: true });
});

test('when the host fails to accept durably, the answer is 5xx, nothing is delivered, and the retry of that delivery is accepted', async () => {
  // The real host and store behind a door that fails the first accept, as a full disk would.
  let failNext = true;
  const host: Pick<Host, 'accept'> = {
    accept: (events, onSettled, claims) => {
      if (!failNext) return fixture.host.accept(events, onSettled, claims);
      failNext = false;
      return Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
    },
  };
  let server: WebhookServer | undefined;
  try {
    server = await startWebhookServer({ host, sources: parseWebhookSources(SOURCES, { env: {} }), logger: fixture.logger, listen: { host: '127.0.0.1', port: 0 } });
    const body = '{"important":true}';
    const headers = await githubHeaders(GH_SECRET, body);
    const post = async (): Promise<Answer> => {
      return readAnswer(await fetch(`${server?.url}/hooks/github`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }));
    };
    const failed = await post();
    assertRefused(failed, 500, 'PLEXUS_INTERNAL');
    assert.doesNotMatch(failed.body.error?.message ?? '', /SQLITE/, 'internals stay in the log');
    assert.ok(fixture.logger.lines.some((l) => l.level === 'error' && JSON.stringify(l.fields).includes('SQLITE_FULL')), 'the operator sees the cause');
    await fixture.settled();
    const before = await fixture.received();
    const retried = await post();
    assert.equal(retried.status, 202, JSON.stringify(retried.body));
    assert.deepEqual((await fixture.recorded(headers['x-github-delivery'] ?? '')).data, { important: true });
    await fixture.settled();
    assert.equal(await fixture.received(), before + 1, 'the failed attempt delivered nothing; the retry delivered once');
  } finally {
    await server?.close();
  }
});
