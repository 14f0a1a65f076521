// Raw requests with wrong, missing, malformed, expired and future signatures
// through the real route: each is 401 PLEXUS_BAD_SIGNATURE, none reaches the
// plugin, and a healthy delivery right after still gets 202. Rotation: every
// configured secret verifies, a retired one does not.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { WebhookFixture } from './http-fixture.ts';
import { assertHealthy, assertRefused, githubHeaders } from './http-requests.ts';

const GH_NEW = 'gh-secret-2025';
const GH_OLD = 'gh-secret-2024';
const GH_RETIRED = 'gh-secret-2023';
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SW_OTHER = 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==';
const STRIPE_SECRET = 'whsec_stripe_bad_signatures';
const BODY = JSON.stringify({ action: 'opened', number: 1 });
const stripe = new Stripe('sk_test_not_a_real_key');

let fixture: WebhookFixture;
let accepted = 0;

before(async () => {
  fixture = await WebhookFixture.start({
    github: { signature: { scheme: 'github', secrets: [GH_NEW, GH_OLD] }, type: { from: 'header', header: 'X-GitHub-Event', prefix: 'github.' } },
    svix: { signature: { scheme: 'standard-webhooks', secrets: [SW_SECRET] }, type: { from: 'fixed', value: 'svix.message' } },
    stripe: { signature: { scheme: 'stripe', secrets: [STRIPE_SECRET] }, type: { from: 'body', path: '$.type', prefix: 'stripe.' } },
  });
});

after(async () => {
  await fixture?.stop();
});

async function healthy(): Promise<void> {
  await assertHealthy(fixture, 'github', GH_NEW);
  accepted++;
}

function svixHeaders(secret: string, at: Date, id = `msg_${randomUUID()}`): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, BODY) };
}

test('a signature made with a secret the source does not have is 401', async () => {
  assertRefused(await fixture.post('github', BODY, await githubHeaders('not-the-secret', BODY)), 401, 'PLEXUS_BAD_SIGNATURE', /no matching signature/);
  assertRefused(await fixture.post('svix', BODY, svixHeaders(SW_OTHER, new Date())), 401, 'PLEXUS_BAD_SIGNATURE', /no matching signature/);
  await healthy();
});

test('a signature over other bytes (body changed in transit) is 401', async () => {
  const headers = await githubHeaders(GH_NEW, BODY);
  assertRefused(await fixture.post('github', BODY.replace('opened', 'closed'), headers), 401, 'PLEXUS_BAD_SIGNATURE');
  // Re-serialised JSON (a space added) is not the signed bytes either.
  assertRefused(await fixture.post('github', JSON.stringify(JSON.parse(BODY), null, 1), headers), 401, 'PLEXUS_BAD_SIGNATURE');
  await healthy();
});

test('a missing or malformed signature header is 401', async () => {
  const { 'x-hub-signature-256': _signature, ...unsigned } = await githubHeaders(GH_NEW, BODY);
  assertRefused(await fixture.post('github', BODY, unsigned), 401, 'PLEXUS_BAD_SIGNATURE', /missing header X-Hub-Signature-256/);
  assertRefused(await fixture.post('github', BODY, { ...unsigned, 'x-hub-signature-256': 'sha1=abc' }), 401, 'PLEXUS_BAD_SIGNATURE', /malformed/);
  assertRefused(await fixture.post('svix', BODY, {}), 401, 'PLEXUS_BAD_SIGNATURE', /missing header webhook-id/);
  assertRefused(await fixture.post('stripe', BODY, { 'stripe-signature': 'v1=00' }), 401, 'PLEXUS_BAD_SIGNATURE', /malformed Stripe-Signature/);
  await healthy();
});

test('an expired timestamp is 401, though the signature itself is right', async () => {
  assertRefused(await fixture.post('svix', BODY, svixHeaders(SW_SECRET, new Date(Date.now() - 10 * 60_000))), 401, 'PLEXUS_BAD_SIGNATURE', /expired/);
  const stale = Math.floor(Date.now() / 1000) - 600;
  const header = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret: STRIPE_SECRET, timestamp: stale });
  assertRefused(await fixture.post('stripe', BODY, { 'stripe-signature': header }), 401, 'PLEXUS_BAD_SIGNATURE', /expired/);
  await healthy();
});

test('a timestamp from the future is 401 (it would stretch the replay window)', async () => {
  assertRefused(await fixture.post('svix', BODY, svixHeaders(SW_SECRET, new Date(Date.now() + 10 * 60_000))), 401, 'PLEXUS_BAD_SIGNATURE', /in the future/);
  const ahead = Math.floor(Date.now() / 1000) + 600;
  const header = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret: STRIPE_SECRET, timestamp: ahead });
  assertRefused(await fixture.post('stripe', BODY, { 'stripe-signature': header }), 401, 'PLEXUS_BAD_SIGNATURE', /in the future/);
  await healthy();
});

test('rotation: both configured secrets verify, a retired one is 401', async () => {
  for (const secret of [GH_NEW, GH_OLD]) {
    const answer = await fixture.post('github', BODY, await githubHeaders(secret, BODY));
    assert.equal(answer.status, 202, `signed with ${secret}: ${JSON.stringify(answer.body)}`);
    accepted++;
  }
  assertRefused(await fixture.post('github', BODY, await githubHeaders(GH_RETIRED, BODY)), 401, 'PLEXUS_BAD_SIGNATURE');
  // A Standard Webhooks sender rotating its secret sends both signatures; one match is enough.
  const id = `msg_${randomUUID()}`;
  const now = new Date();
  const both = { ...svixHeaders(SW_SECRET, now, id), 'webhook-signature': `${new Webhook(SW_OTHER).sign(id, now, BODY)} ${new Webhook(SW_SECRET).sign(id, now, BODY)}` };
  assert.equal((await fixture.post('svix', BODY, both)).status, 202);
  accepted++;
  await healthy();
});

test('nothing that was refused reached the plugin: it received exactly the accepted deliveries', async () => {
  await fixture.settled();
  assert.equal(await fixture.received(), accepted);
});
