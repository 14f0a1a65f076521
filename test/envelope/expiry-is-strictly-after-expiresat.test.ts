import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiresAtMs, isExpired } from '../../src/envelope/index.ts';

const deadline = Date.UTC(2024, 5, 1, 12);
const event = { expiresat: '2024-06-01T14:00:00+02:00' };

test('expiresat is read as an instant, whatever its offset', () => {
  assert.equal(expiresAtMs(event), deadline);
});

test('delivering at the deadline is still "by then"; one millisecond later is expired', () => {
  assert.equal(isExpired(event, deadline - 1), false);
  assert.equal(isExpired(event, deadline), false);
  assert.equal(isExpired(event, deadline + 1), true);
});

test('an event without expiresat never expires', () => {
  assert.equal(expiresAtMs({}), undefined);
  assert.equal(isExpired({}, Number.MAX_SAFE_INTEGER), false);
});
