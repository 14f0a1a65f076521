// CloudEvents JSON format §2.2: a null attribute is the same as an absent one;
// `data: null` is an explicit null payload and stays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateEnvelope } from '../../src/envelope/index.ts';
import { assertInvalidEvent } from './expect-invalid-event.ts';

const minimal = { specversion: '1.0', id: 'evt-1', source: '/mycontext', type: 'com.example.someevent' };

test('null optional attributes are dropped, not refused', () => {
  const event = validateEnvelope({ ...minimal, subject: null, time: null, unsetextension: null, priority: null });
  assert.deepEqual(event, minimal);
});

test('a null required attribute counts as missing', () => {
  assertInvalidEvent(() => validateEnvelope({ ...minimal, id: null }), 'id');
});

test('data: null is kept as a null payload', () => {
  const event = validateEnvelope({ ...minimal, data: null });
  assert.ok(Object.hasOwn(event, 'data'));
  assert.equal(event.data, null);
});
