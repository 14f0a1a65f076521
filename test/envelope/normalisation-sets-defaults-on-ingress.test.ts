import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { normalizeEnvelope, parseRfc3339 } from '../../src/envelope/index.ts';

const now = Date.UTC(2024, 4, 1, 12, 30, 0, 250);
const minimal: PlexusEvent = { specversion: '1.0', id: 'evt-1', source: 'amqp/orders', type: 'orders.created' };

test('a missing time is set to the injected now, in RFC 3339', () => {
  const event = normalizeEnvelope(minimal, now);
  assert.equal(event.time, '2024-05-01T12:30:00.250Z');
  assert.equal(parseRfc3339(event.time as string), now);
});

test('datacontenttype defaults to application/json and priority to 4', () => {
  const event = normalizeEnvelope(minimal, now);
  assert.equal(event.datacontenttype, 'application/json');
  assert.equal(event.priority, 4);
});

test('binary data without a content type is labelled application/octet-stream, not JSON', () => {
  const event = normalizeEnvelope({ ...minimal, data_base64: 'AA==' }, now);
  assert.equal(event.datacontenttype, 'application/octet-stream');
});

test('values the producer set are kept', () => {
  const given = { ...minimal, time: '2020-01-01T00:00:00+01:00', datacontenttype: 'text/plain', priority: 0 };
  assert.deepEqual(normalizeEnvelope(given, now), given);
});

test('normalisation returns a copy and does not mutate the event', () => {
  const input = Object.freeze({ ...minimal });
  const event = normalizeEnvelope(input, now);
  assert.notEqual(event, input);
  assert.equal(input.time, undefined);
});
