// End to end through the real HTTP route: requests signed by the senders'
// official libraries (not our code) are answered 202 {id} once durable, and
// the sandboxed plugin receives exactly that event: source webhook/<name>,
// the configured type, the body as data.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { WebhookFixture } from './http-fixture.ts';

const GH_SECRET = 'gh-secret-official';
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const STRIPE_SECRET = 'whsec_stripe_official';

let fixture: WebhookFixture;

before(async () => {
  fixture = await WebhookFixture.start({
    github: { signature: { scheme: 'github', secrets: [GH_SECRET] }, type: { from: 'header', header: 'X-GitHub-Event', prefix: 'github.' } },
    svix: { signature: { scheme: 'standard-webhooks', secrets: [SW_SECRET] }, type: { from: 'body', path: '$.type' } },
    stripe: { signature: { scheme: 'stripe', secrets: [STRIPE_SECRET] }, type: { from: 'body', path: '$.type', prefix: 'stripe.' } },
  });
});

after(async () => {
  await fixture?.stop();
});

test('GitHub (@octokit/webhooks-methods): 202 with X-GitHub-Delivery as the id, the plugin gets github.push with the body', async () => {
  const body = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/app' } });
  const delivery = randomUUID();
  const answer = await fixture.post('github', body, { 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': await sign(GH_SECRET, body) });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.deepEqual(answer.body, { id: delivery });
  assert.deepEqual(await fixture.recorded(delivery), { id: delivery, source: 'webhook/github', type: 'github.push', priority: 4, data: JSON.parse(body) });
});

test('Standard Webhooks (standardwebhooks): 202 with webhook-id as the id, type from $.type', async () => {
  const body = JSON.stringify({ type: 'contact.created', data: { id: 'c_1', name: 'Ünïcødé ✓' } });
  const id = `msg_${randomUUID()}`;
  const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': new Webhook(SW_SECRET).sign(id, new Date(), body) };
  const answer = await fixture.post('svix', body, headers);
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.deepEqual(answer.body, { id });
  const recorded = await fixture.recorded(id);
  assert.equal(recorded.type, 'contact.created');
  assert.deepEqual(recorded.data, JSON.parse(body));
});

test('Stripe (stripe.webhooks.generateTestHeaderString): 202 with the event id from the body, type stripe.<type>', async () => {
  const id = `evt_${randomUUID().replaceAll('-', '')}`;
  const body = JSON.stringify({ id, object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1', amount_paid: 4200 } } });
  const header = new Stripe('sk_test_not_a_real_key').webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
  const answer = await fixture.post('stripe', body, { 'stripe-signature': header, 'content-type': 'application/json; charset=utf-8' });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.deepEqual(answer.body, { id });
  const recorded = await fixture.recorded(id);
  assert.deepEqual([recorded.source, recorded.type], ['webhook/stripe', 'stripe.invoice.paid']);
});

test("a CloudEvent body keeps its id, data and priority, but source and type are the route's (no posing as another source)", async () => {
  const ceId = randomUUID();
  const body = JSON.stringify({ specversion: '1.0', id: ceId, source: 'admin', type: 'orders.created', priority: 9, data: { issue: 7 } });
  const headers = { 'x-github-event': 'issues', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign(GH_SECRET, body), 'content-type': 'application/cloudevents+json' };
  const answer = await fixture.post('github', body, headers);
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.deepEqual(answer.body, { id: ceId });
  assert.deepEqual(await fixture.recorded(ceId), { id: ceId, source: 'webhook/github', type: 'github.issues', priority: 9, data: { issue: 7 } });
});
