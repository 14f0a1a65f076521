import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateEnvelope } from '../../src/envelope/index.ts';

const minimal = { specversion: '1.0', id: 'evt-1', source: 'webhook/github', type: 'orders.eu.created' };

test('a minimal envelope with the four required attributes is valid', () => {
  assert.deepEqual(validateEnvelope(minimal), minimal);
});

test('the contract source examples are valid URI-references', () => {
  for (const source of ['webhook/github', 'amqp/orders', 'redis/stream:events', '/mycontext', 'https://example.com/x']) {
    assert.equal(validateEnvelope({ ...minimal, source }).source, source);
  }
});

test('every Plexus extension of CONTRACT §5 is accepted with a valid value', () => {
  const full = {
    ...minimal,
    time: '2024-05-01T10:00:00.123+02:00',
    datacontenttype: 'application/json; charset=utf-8',
    dataschema: 'https://schemas.example.com/orders/v2.json',
    subject: 'order-42',
    data: { id: 42, lines: [1, 2] },
    priority: 9,
    partitionkey: 'customer-7',
    idempotencykey: 'order-42-created',
    expiresat: '2024-05-02T00:00:00Z',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    tracestate: 'congo=t61rcWkgMzE',
  };
  assert.deepEqual(validateEnvelope(full), full);
});

test('other extensions may be strings, booleans or 32-bit integers', () => {
  const event = { ...minimal, comexampleextension1: 'value', comexampleothervalue: 5, flag: true, big: -2147483648 };
  assert.deepEqual(validateEnvelope(event), event);
});

test('extension names longer than 20 characters are only discouraged, so accepted', () => {
  const event = { ...minimal, averyveryverylongextensionname: 'x' };
  assert.deepEqual(validateEnvelope(event), event);
});

test('binary data travels as data_base64', () => {
  const event = { ...minimal, datacontenttype: 'application/octet-stream', data_base64: 'AAEC/w==' };
  assert.deepEqual(validateEnvelope(event), event);
});

test('data may be any JSON value, including null and a string', () => {
  for (const data of [null, 'text', 0, false, [1, 'a'], { nested: { deep: [null] } }]) {
    assert.deepEqual(validateEnvelope({ ...minimal, data }).data, data);
  }
});

test('validation returns a copy and leaves its input untouched', () => {
  const input = { ...minimal, subject: null };
  const frozen = Object.freeze(input);
  const event = validateEnvelope(frozen);
  assert.notEqual(event, frozen);
  assert.ok(Object.hasOwn(frozen, 'subject'));
});
