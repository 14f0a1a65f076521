// The whole verification path the HTTP route will call: config → size →
// signature → JSON → type → delivery id → replay, with official signers.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { PlexusError } from '@plexus/plugin-sdk';
import { InMemoryReplayStore, parseWebhookSources, ReplayGuard, verifyWebhookDelivery } from '../../src/ingress/webhook/index.ts';
import { assertRejectsPlexus, NOW_MS, NOW_SEC } from './helpers.ts';

const env = { GH_SECRET: 'gh-secret-e2e', SW_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', STRIPE_SECRET: 'whsec_stripe_e2e' };
const sources = parseWebhookSources(
  {
    github: { signature: { scheme: 'github', secrets: ['${GH_SECRET}'] }, type: { from: 'header', header: 'X-GitHub-Event', prefix: 'github.' }, maxBodyBytes: 256 },
    svix: { signature: { scheme: 'standard-webhooks', secrets: ['${SW_SECRET}'] }, type: { from: 'body', path: '$.type' } },
    stripe: { signature: { scheme: 'stripe', secrets: ['${STRIPE_SECRET}'] }, type: { from: 'body', path: '$.type', prefix: 'stripe.' } },
    luminaguard: { signature: { scheme: 'hmac', header: 'X-Luminaguard-Signature', secrets: ['webhook-secret'] }, type: { from: 'body', path: '$.event_type' } },
  },
  { env },
);

function source(name: string) {
  const found = sources.get(name);
  assert.ok(found);
  return found;
}

const newGuard = () => new ReplayGuard(new InMemoryReplayStore({ clock: () => NOW_MS }));

async function githubRequest(body: string, event = 'push', delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958') {
  return { headers: { 'X-GitHub-Event': event, 'X-GitHub-Delivery': delivery, 'X-Hub-Signature-256': await sign(env.GH_SECRET, body) }, rawBody: Buffer.from(body) };
}

describe('verifyWebhookDelivery', () => {
  test('GitHub: verified, typed github.push, deduplicated on X-GitHub-Delivery (second copy → 409)', async () => {
    const guard = newGuard();
    const request = await githubRequest('{"ref":"refs/heads/main"}');
    const delivery = await verifyWebhookDelivery(source('github'), request, guard, NOW_MS);
    assert.deepEqual(delivery, { source: 'github', type: 'github.push', deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', timestamp: undefined, body: { ref: 'refs/heads/main' } });
    try {
      await verifyWebhookDelivery(source('github'), request, guard, NOW_MS);
      assert.fail('a replay was accepted');
    } catch (err) {
      assert.ok(err instanceof PlexusError);
      assert.equal(err.code, 'PLEXUS_REPLAYED');
      assert.equal(err.status, 409);
    }
  });

  test('Standard Webhooks: the signed webhook-id is the replay key; type comes from $.type', async () => {
    const guard = newGuard();
    const body = '{"type":"contact.created","data":{"id":"c1"}}';
    const headers = { 'webhook-id': 'msg_e2e', 'webhook-timestamp': String(NOW_SEC), 'webhook-signature': new Webhook(env.SW_SECRET).sign('msg_e2e', new Date(NOW_MS), body) };
    const delivery = await verifyWebhookDelivery(source('svix'), { headers, rawBody: Buffer.from(body) }, guard, NOW_MS);
    assert.equal(delivery.type, 'contact.created');
    assert.equal(delivery.deliveryId, 'msg_e2e');
    assert.equal(delivery.timestamp, NOW_SEC);
    await assertRejectsPlexus(verifyWebhookDelivery(source('svix'), { headers, rawBody: Buffer.from(body) }, guard, NOW_MS), 'PLEXUS_REPLAYED', /msg_e2e/);
  });

  test("Stripe: the event's own id in the body is the replay key, even when re-signed with a fresh t", async () => {
    const guard = newGuard();
    const stripe = new Stripe('sk_test_not_a_real_key');
    const body = JSON.stringify({ id: 'evt_e2e', object: 'event', type: 'invoice.paid' });
    const at = (t: number) => ({ headers: { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: env.STRIPE_SECRET, timestamp: t }) }, rawBody: Buffer.from(body) });
    const delivery = await verifyWebhookDelivery(source('stripe'), at(NOW_SEC), guard, NOW_MS);
    assert.deepEqual([delivery.type, delivery.deliveryId], ['stripe.invoice.paid', 'evt_e2e']);
    await assertRejectsPlexus(verifyWebhookDelivery(source('stripe'), at(NOW_SEC + 5), guard, NOW_MS), 'PLEXUS_REPLAYED', /evt_e2e/);
  });

  test("seed 000's LuminaGuard sender end to end: X-Luminaguard-Signature verified, type from $.event_type, no dedup by default", async () => {
    const guard = newGuard();
    const body = '{"event_id": "evt-123", "event_type": "task.created", "source": "webhook", "payload": {"task_id": "123", "status": "pending"}, "priority": 2}';
    const request = { headers: { 'X-Luminaguard-Signature': 'df0dd5ede9b7d69a7ca0d01394dda8dd699abffccfcdf8f70d80c434303bafe9' }, rawBody: Buffer.from(body) };
    const delivery = await verifyWebhookDelivery(source('luminaguard'), request, guard, NOW_MS);
    assert.deepEqual([delivery.type, delivery.deliveryId], ['task.created', undefined]);
  });

  test('refuses a body over maxBodyBytes with PLEXUS_PAYLOAD_TOO_LARGE (413) before looking at signatures', async () => {
    const request = { headers: {}, rawBody: Buffer.alloc(257, 0x20) };
    await assertRejectsPlexus(verifyWebhookDelivery(source('github'), request, newGuard(), NOW_MS), 'PLEXUS_PAYLOAD_TOO_LARGE', /257 bytes; source github accepts at most 256/);
  });

  test('refuses a validly signed body that is not JSON, or JSON that is not UTF-8, with PLEXUS_INVALID_REQUEST (400)', async () => {
    await assertRejectsPlexus(verifyWebhookDelivery(source('github'), await githubRequest('not json'), newGuard(), NOW_MS), 'PLEXUS_INVALID_REQUEST', /not valid UTF-8 JSON/);
    // {"a":"<0xff>"}: a lossy decoder would turn it into valid JSON holding U+FFFD, which is not what was signed.
    const rawBody = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const headers = { ...(await githubRequest('{}')).headers, 'X-Hub-Signature-256': `sha256=${createHmac('sha256', env.GH_SECRET).update(rawBody).digest('hex')}` };
    await assertRejectsPlexus(verifyWebhookDelivery(source('github'), { headers, rawBody }, newGuard(), NOW_MS), 'PLEXUS_INVALID_REQUEST', /not valid UTF-8 JSON/);
  });

  test('a forged request does not claim the delivery id: the genuine delivery with that id still passes', async () => {
    const guard = newGuard();
    const genuine = await githubRequest('{"ok":true}', 'push', 'same-id');
    const forged = { ...genuine, headers: { ...genuine.headers, 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` } };
    await assertRejectsPlexus(verifyWebhookDelivery(source('github'), forged, guard, NOW_MS), 'PLEXUS_BAD_SIGNATURE', /no matching/);
    assert.equal((await verifyWebhookDelivery(source('github'), genuine, guard, NOW_MS)).deliveryId, 'same-id');
  });

  test('a delivery refused for its content (no event type) does not burn its id: the corrected retry passes', async () => {
    const guard = newGuard();
    const body = '{"zen":"Design for failure."}';
    const noEvent = await githubRequest(body, 'push', 'retry-id');
    delete (noEvent.headers as Partial<typeof noEvent.headers>)['X-GitHub-Event'];
    await assertRejectsPlexus(verifyWebhookDelivery(source('github'), noEvent, guard, NOW_MS), 'PLEXUS_INVALID_EVENT', /X-GitHub-Event is missing/);
    const fixed = await githubRequest(body, 'ping', 'retry-id');
    assert.equal((await verifyWebhookDelivery(source('github'), fixed, guard, NOW_MS)).type, 'github.ping');
  });

  test('refuses a signed delivery without the id the source deduplicates on', async () => {
    const request = await githubRequest('{}');
    delete (request.headers as Partial<typeof request.headers>)['X-GitHub-Delivery'];
    await assertRejectsPlexus(verifyWebhookDelivery(source('github'), request, newGuard(), NOW_MS), 'PLEXUS_INVALID_REQUEST', /X-GitHub-Delivery is missing/);
  });
});
