import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_POLICY, nextRetry, resolveRetryPolicy } from '../../src/delivery/index.ts';

const half = () => 0.5;

test('defaults: attempts 1-3 are retried, the 4th failure (3rd retry) exhausts', () => {
  assert.deepEqual(DEFAULT_RETRY_POLICY, { maxRetries: 3, initialDelayMs: 1000, multiplier: 2, maxDelayMs: 60_000 });
  assert.notEqual(nextRetry(1, DEFAULT_RETRY_POLICY, half), 'exhausted');
  assert.notEqual(nextRetry(3, DEFAULT_RETRY_POLICY, half), 'exhausted');
  assert.equal(nextRetry(4, DEFAULT_RETRY_POLICY, half), 'exhausted');
});

test('maxRetries 0 means a single attempt', () => {
  assert.equal(nextRetry(1, resolveRetryPolicy({ plugin: { maxRetries: 0 } }), half), 'exhausted');
});

test('attempt numbers start at 1 and are integers', () => {
  for (const attempt of [0, -1, 1.5, Number.NaN]) assert.throws(() => nextRetry(attempt, DEFAULT_RETRY_POLICY, half), RangeError);
});
