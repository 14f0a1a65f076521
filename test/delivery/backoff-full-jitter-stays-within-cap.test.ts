import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_POLICY, backoffCeiling, nextRetry, resolveRetryPolicy } from '../../src/delivery/index.ts';
import { seededRandom } from '../router/seeded-random.ts';

test('the ceiling follows the seed timeline: 1 s, 2 s, 4 s, then ×2 up to the 60 s cap', () => {
  const policy = resolveRetryPolicy({ host: { maxRetries: 10 } });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(n, policy)),
    [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000],
  );
});

test('delays are drawn over the whole window [0, ceiling]: full jitter', () => {
  assert.deepEqual(nextRetry(3, DEFAULT_RETRY_POLICY, () => 0), { delayMs: 0 });
  assert.deepEqual(nextRetry(3, DEFAULT_RETRY_POLICY, () => 0.5), { delayMs: 2000 });
  assert.deepEqual(nextRetry(3, DEFAULT_RETRY_POLICY, () => 0.999999), { delayMs: 3999 });
});

test('every delay stays within [0, min(cap, exponential)] over many random draws', () => {
  const random = seededRandom(7);
  const policy = resolveRetryPolicy({ host: { maxRetries: 40, initialDelayMs: 250, multiplier: 3, maxDelayMs: 45_000 } });
  let nearCeiling = 0;
  for (let i = 0; i < 5000; i++) {
    const attempt = 1 + (i % 40);
    const decision = nextRetry(attempt, policy, random);
    assert.notEqual(decision, 'exhausted');
    if (decision === 'exhausted') continue;
    const ceiling = backoffCeiling(attempt, policy);
    assert.ok(Number.isInteger(decision.delayMs) && decision.delayMs >= 0 && decision.delayMs <= ceiling && ceiling <= 45_000);
    if (decision.delayMs > ceiling * 0.9) nearCeiling++;
  }
  assert.ok(nearCeiling > 300, 'the upper part of the window is used, not only small delays');
});

test('a misbehaving random source cannot push a delay outside [0, cap]', () => {
  for (const value of [Number.NaN, -1, 1, 7, Number.POSITIVE_INFINITY]) {
    const decision = nextRetry(2, DEFAULT_RETRY_POLICY, () => value);
    assert.ok(decision !== 'exhausted' && decision.delayMs >= 0 && decision.delayMs <= 2000, String(value));
  }
});

test('huge attempt numbers stay at the cap instead of overflowing', () => {
  const policy = resolveRetryPolicy({ host: { maxRetries: 5000 } });
  assert.equal(backoffCeiling(4000, policy), 60_000);
  assert.deepEqual(nextRetry(4000, policy, () => 0.5), { delayMs: 30_000 });
});
