// With `initialDelayMs: 0` (retry at once) and a long series (`maxRetries`
// in the thousands), the multiplier's power overflowed to Infinity and
// 0 × Infinity made the delay NaN: a delivery whose retry time is NaN is
// never due, so it stalled for good. Zero grows to zero, however far.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCeiling, nextRetry } from '../../src/delivery/backoff.ts';

const policy = { maxRetries: 5000, initialDelayMs: 0, multiplier: 2, maxDelayMs: 60_000 };

test('from a zero initial delay every retry of a long series is due at once, never NaN', () => {
  for (const attempt of [1, 1024, 1025, 1100, 5000]) {
    assert.equal(backoffCeiling(attempt, policy), 0, `attempt ${attempt}`);
    assert.deepEqual(nextRetry(attempt, policy, () => 0.5), { delayMs: 0 }, `attempt ${attempt}`);
  }
});

test('a non-zero initial delay still reaches its cap past the overflow', () => {
  assert.equal(backoffCeiling(2000, { ...policy, initialDelayMs: 100 }), 60_000);
});
