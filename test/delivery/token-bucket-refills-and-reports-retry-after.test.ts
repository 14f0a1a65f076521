import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { TokenBucket, priorityCost } from '../../src/delivery/index.ts';
import { randomInt, seededRandom } from '../router/seeded-random.ts';

test('a new bucket allows a burst, then refuses', () => {
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 5 }, 0);
  for (let i = 0; i < 5; i++) assert.deepEqual(bucket.tryTake(1, 0), { ok: true });
  assert.equal(bucket.tryTake(1, 0).ok, false);
});

test('a refusal says when the tokens will be there, and they are', () => {
  const bucket = new TokenBucket({ ratePerSecond: 2, burst: 4 }, 0);
  bucket.tryTake(4, 0);
  const refused = bucket.tryTake(3, 100);
  assert.deepEqual(refused, { ok: false, retryAfterMs: 1400 }); // 0.2 tokens there, 2.8 more at 2/s
  assert.equal(bucket.tryTake(3, 1499).ok, false);
  assert.equal(bucket.tryTake(3, 1500).ok, true);
});

test('retryAfterMs is exact: refused 1 ms before it, served at it (random rates and costs)', () => {
  const random = seededRandom(11);
  let refusals = 0;
  for (let i = 0; i < 2000; i++) {
    const ratePerSecond = 0.1 + random() * 60;
    const burst = randomInt(random, 4, 50);
    const bucket = new TokenBucket({ ratePerSecond, burst }, 0);
    bucket.tryTake(burst - randomInt(random, 0, 3), 0);
    const now = randomInt(random, 0, 50);
    const cost = randomInt(random, 1, 4);
    const result = bucket.tryTake(cost, now);
    if (result.ok) continue;
    refusals++;
    assert.ok(result.retryAfterMs >= 1);
    assert.equal(bucket.tryTake(cost, now + result.retryAfterMs - 1).ok, false);
    assert.equal(bucket.tryTake(cost, now + result.retryAfterMs).ok, true);
  }
  assert.ok(refusals > 500, `only ${refusals} refusals exercised`);
});

test('refill is capped at burst', () => {
  const bucket = new TokenBucket({ ratePerSecond: 100, burst: 3 }, 0);
  assert.equal(bucket.tokensAt(1_000_000), 3);
  assert.ok(bucket.isFullAt(1_000_000));
});

test('critical events pass more often than low ones under the same rate (seed 000 weighting)', () => {
  const served = (priority: number): number => {
    const bucket = new TokenBucket({ ratePerSecond: 12, burst: 12 }, 0);
    let ok = 0;
    for (let t = 0; t <= 10_000; t += 10) if (bucket.tryTake(priorityCost(priority), t).ok) ok++;
    return ok;
  };
  // 12 tokens of burst + 10 s × 12/s = 132 tokens, spent 1, 2, 3 or 4 at a time.
  assert.deepEqual([9, 7, 4, 0].map(served), [132, 66, 44, 33]);
});

test('a refund gives back what was taken, never above burst', () => {
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 5 }, 0);
  bucket.tryTake(3, 0);
  bucket.refund(3, 0);
  assert.equal(bucket.tokensAt(0), 5);
  bucket.tryTake(1, 0);
  bucket.refund(4, 0);
  assert.equal(bucket.tokensAt(0), 5, 'capped at burst');
  assert.throws(() => bucket.refund(-1, 0), RangeError);
});

test('a clock that steps back refills nothing at the step, then refills from there (a-rate-limit-recovers-when-the-wall-clock-steps-back)', () => {
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 2 }, 10_000);
  bucket.tryTake(2, 10_000);
  assert.equal(bucket.tryTake(1, 5_000).ok, false);
  assert.equal(bucket.tryTake(1, 5_999).ok, false);
  assert.equal(bucket.tryTake(1, 6_000).ok, true);
});

test('a cost above burst is charged burst instead of never passing', () => {
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 2 }, 0);
  assert.equal(bucket.tryTake(4, 0).ok, true);
  assert.equal(bucket.tokensAt(0), 0);
});

test('invalid limits are PLEXUS_INVALID_CONFIG; invalid costs a RangeError', () => {
  for (const limits of [{ ratePerSecond: 0, burst: 1 }, { ratePerSecond: 1, burst: 0.5 }, { ratePerSecond: Number.NaN, burst: 1 }]) {
    assert.throws(() => new TokenBucket(limits, 0), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INVALID_CONFIG');
  }
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 }, 0);
  for (const cost of [0, -1, Number.NaN]) assert.throws(() => bucket.tryTake(cost, 0), RangeError);
});
