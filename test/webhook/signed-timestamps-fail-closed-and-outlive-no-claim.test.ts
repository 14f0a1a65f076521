// The tolerance window of signed timestamps, seen from the replay side: a
// delivery must never be acceptable for longer than its claim lives, and a
// clock or tolerance that is not a number must refuse, not skip the check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { InMemoryReplayStore, parseWebhookSources, ReplayGuard, verifyWebhookDelivery } from '../../src/ingress/webhook/index.ts';
import { createStandardWebhooksVerifier, decodeStandardWebhooksSecret } from '../../src/ingress/webhook/signatures/standard-webhooks.ts';
import { assertPlexusError, assertRejectsPlexus, NOW_MS, NOW_SEC } from './helpers.ts';

const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const STRIPE_SECRET = 'whsec_stripe_replay_edge';
const BODY = '{"id":"evt_edge","type":"contact.created"}';
// The smallest window the config allows with the default 300 s tolerance.
const sources = parseWebhookSources(
  {
    svix: { signature: { scheme: 'standard-webhooks', secrets: [SW_SECRET] }, type: { from: 'body', path: '$.type' }, replayWindowSec: 600 },
    stripe: { signature: { scheme: 'stripe', secrets: [STRIPE_SECRET] }, type: { from: 'body', path: '$.type' }, replayWindowSec: 600 },
  },
  { env: {} },
);

function source(name: string) {
  const found = sources.get(name);
  assert.ok(found);
  return found;
}

function standardWebhooksRequest(atSec: number) {
  const signature = new Webhook(SW_SECRET).sign('msg_edge', new Date(atSec * 1000), BODY);
  return { headers: { 'webhook-id': 'msg_edge', 'webhook-timestamp': String(atSec), 'webhook-signature': signature }, rawBody: Buffer.from(BODY) };
}

function stripeRequest(atSec: number) {
  const header = new Stripe('sk_test_not_a_real_key').webhooks.generateTestHeaderString({ payload: BODY, secret: STRIPE_SECRET, timestamp: atSec });
  return { headers: { 'Stripe-Signature': header }, rawBody: Buffer.from(BODY) };
}

describe('signed timestamps and the replay claim', () => {
  for (const [name, request] of [['svix', standardWebhooksRequest], ['stripe', stripeRequest]] as const) {
    test(`${name}: accepted at the first instant of its tolerance, a captured delivery is still 409 at the last (replayWindowSec = 2 x tolerance)`, async () => {
      let clock = 0;
      const guard = new ReplayGuard(new InMemoryReplayStore({ clock: () => clock }));
      const signed = request(NOW_SEC);
      // The sender's clock runs 300 s ahead: the first copy arrives at ts - 300 s.
      clock = (NOW_SEC - 300) * 1000;
      const first = await verifyWebhookDelivery(source(name), signed, guard, clock);
      assert.equal(first.timestamp, NOW_SEC);
      // Second ts + 300 still passes the tolerance (whole seconds, as the official libraries count) until its last millisecond.
      clock = (NOW_SEC + 300) * 1000 + 999;
      await assertRejectsPlexus(verifyWebhookDelivery(source(name), signed, guard, clock), 'PLEXUS_REPLAYED', /already received/);
      // One millisecond later the tolerance refuses it on its own.
      clock += 1;
      await assertRejectsPlexus(verifyWebhookDelivery(source(name), signed, guard, clock), 'PLEXUS_BAD_SIGNATURE', /expired/);
    });
  }

  test('a clock that reads NaN fails closed: a validly signed delivery a year old is refused, not waved through', async () => {
    const yearOld = standardWebhooksRequest(NOW_SEC - 365 * 86_400);
    await assertRejectsPlexus(verifyWebhookDelivery(source('svix'), yearOld, undefined, Number.NaN), 'PLEXUS_BAD_SIGNATURE', /cannot be checked/);
    await assertRejectsPlexus(verifyWebhookDelivery(source('stripe'), stripeRequest(NOW_SEC - 365 * 86_400), undefined, Number.NaN), 'PLEXUS_BAD_SIGNATURE', /cannot be checked/);
    // The same request at a real instant is refused as expired, and a fresh one passes.
    await assertRejectsPlexus(verifyWebhookDelivery(source('svix'), yearOld, undefined, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /expired/);
    assert.ok(await verifyWebhookDelivery(source('svix'), standardWebhooksRequest(NOW_SEC), undefined, NOW_MS));
  });

  test('a tolerance that is not a number fails closed too', () => {
    const verifier = createStandardWebhooksVerifier({ toleranceSec: Number.NaN });
    const key = decodeStandardWebhooksSecret(SW_SECRET);
    assertPlexusError(() => verifier.verify(standardWebhooksRequest(NOW_SEC - 365 * 86_400), [key], NOW_MS), 'PLEXUS_BAD_SIGNATURE', /cannot be checked/);
  });
});
