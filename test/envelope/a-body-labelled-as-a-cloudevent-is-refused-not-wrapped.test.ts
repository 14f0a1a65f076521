// The CloudEvents bindings mark structured mode by a content type starting
// with `application/cloudevents`: the body is the event (or, with `-batch`,
// a list of events). Such a body that is not a CloudEvent must be refused
// (PLEXUS_INVALID_EVENT naming datacontenttype), never wrapped as `data`:
// a batch became one event whose data was the whole batch, and a malformed
// structured event reached plugins as the payload of another event.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toEnvelope } from '../../src/envelope/index.ts';
import { WebhookFixture } from '../webhook/http-fixture.ts';
import { assertInvalidEvent } from './expect-invalid-event.ts';

const context = { source: 'webhook/internal', type: 'internal.job', now: Date.UTC(2024, 0, 1) };
const batch = [
  { specversion: '1.0', id: 'b1', source: 'shop', type: 'internal.job', data: { n: 1 } },
  { specversion: '1.0', id: 'b2', source: 'shop', type: 'internal.job', data: { n: 2 } },
];

test('a body labelled as a CloudEvent or a batch, in any spelling, is refused naming datacontenttype', () => {
  for (const contentType of ['application/cloudevents+json', 'Application/CloudEvents+JSON; charset=utf-8', 'application/cloudevents-batch+json', 'application/cloudevents']) {
    assertInvalidEvent(() => toEnvelope(batch, { ...context, headers: { 'content-type': contentType } }), 'datacontenttype');
    assertInvalidEvent(() => toEnvelope({ id: 'x', data: 1 }, { ...context, headers: { 'Content-Type': contentType } }), 'datacontenttype');
    assertInvalidEvent(() => toEnvelope(new Uint8Array([1, 2]), { ...context, headers: { 'cloudEvents:datacontenttype': contentType } }), 'datacontenttype');
  }
});

test('a real CloudEvent under that label is still taken, and look-alike content types are still wrapped', () => {
  const event = toEnvelope(batch[0] ?? null, { ...context, headers: { 'content-type': 'application/cloudevents+json' } });
  assert.equal(event.id, 'b1');
  for (const contentType of ['application/json', 'application/cloudeventsx+json', 'application/vnd.cloudevents+json', 'text/plain']) {
    const wrapped = toEnvelope({ a: 1 }, { ...context, headers: { 'content-type': contentType } });
    assert.deepEqual([wrapped.data, wrapped.datacontenttype], [{ a: 1 }, contentType]);
  }
});

let fixture: WebhookFixture;

before(async () => {
  fixture = await WebhookFixture.start({ internal: { signature: { scheme: 'none' }, type: { from: 'fixed', value: 'internal.job' }, deliveryId: { from: 'header', header: 'X-Delivery-Id' } } });
});

after(async () => {
  await fixture?.stop();
});

test('through the real webhook route: a batch is 400 PLEXUS_INVALID_EVENT and reaches no plugin', async () => {
  const refused = await fixture.post('internal', JSON.stringify(batch), { 'content-type': 'application/cloudevents-batch+json', 'x-delivery-id': 'batch-1' });
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.equal(refused.body.error?.code, 'PLEXUS_INVALID_EVENT');
  assert.match(refused.body.error?.message ?? '', /datacontenttype/);
  const malformed = await fixture.post('internal', JSON.stringify({ id: 'x', data: 1 }), { 'content-type': 'application/cloudevents+json', 'x-delivery-id': 'struct-1' });
  assert.equal(malformed.status, 400, JSON.stringify(malformed.body));
  assert.equal(malformed.body.error?.code, 'PLEXUS_INVALID_EVENT');

  const plain = await fixture.post('internal', JSON.stringify({ a: 1 }), { 'x-delivery-id': 'plain-1' });
  assert.equal(plain.status, 202, JSON.stringify(plain.body));
  await fixture.recorded('plain-1');
  await fixture.settled();
  assert.equal(await fixture.received(), 1, 'only the plain body reached the plugin');
});
