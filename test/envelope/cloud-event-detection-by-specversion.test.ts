import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCloudEvent, toEnvelope } from '../../src/envelope/index.ts';
import { assertInvalidEvent } from './expect-invalid-event.ts';

const context = { source: 'amqp/orders', type: 'orders.raw', now: Date.UTC(2024, 0, 1) };

test('an object with specversion is a CloudEvent; anything else is not', () => {
  assert.equal(isCloudEvent({ specversion: '1.0' }), true);
  assert.equal(isCloudEvent({ specversion: null }), true);
  for (const body of [{ id: 'a', type: 'b', source: 'c' }, [{ specversion: '1.0' }], 'specversion', null, 3, new Uint8Array(2)]) {
    assert.equal(isCloudEvent(body), false, JSON.stringify(body));
  }
});

test('an inherited specversion does not make a CloudEvent', () => {
  assert.equal(isCloudEvent(Object.create({ specversion: '1.0' })), false);
});

test('a CloudEvent body keeps its own attributes and gets defaults', () => {
  const body = { specversion: '1.0', id: 'e1', source: 'billing', type: 'invoices.paid', data: { n: 1 } };
  assert.deepEqual(toEnvelope(body, context), { ...body, time: '2024-01-01T00:00:00.000Z', datacontenttype: 'application/json', priority: 4 });
});

test('any other body is wrapped as data', () => {
  const event = toEnvelope({ orderId: 9 }, context);
  assert.equal(event.type, 'orders.raw');
  assert.deepEqual(event.data, { orderId: 9 });
});

test('a body claiming to be a CloudEvent but malformed is refused, never wrapped', () => {
  assertInvalidEvent(() => toEnvelope({ specversion: '0.3', id: 'e1', source: 's', type: 't' }, context), 'specversion');
  assertInvalidEvent(() => toEnvelope({ specversion: '1.0', id: 'e1', source: 's' }, context), 'type');
});
