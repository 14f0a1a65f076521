import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { KeyedRateLimiter } from '../../src/delivery/index.ts';

const limits = { ratePerSecond: 1, burst: 2 };

test('each key has its own bucket: one noisy source does not throttle another', () => {
  const limiter = new KeyedRateLimiter({ limits, maxKeys: 10 });
  assert.equal(limiter.tryTake('source:github', 2, 0).ok, true);
  assert.equal(limiter.tryTake('source:github', 1, 0).ok, false);
  assert.equal(limiter.tryTake('source:stripe', 2, 0).ok, true);
});

test('a million distinct keys never hold more than maxKeys buckets', () => {
  const limiter = new KeyedRateLimiter({ limits, maxKeys: 100 });
  for (let i = 0; i < 1_000_000; i++) {
    limiter.tryTake(`k${i}`, 1, i);
    if (limiter.size > 100) assert.fail(`size ${limiter.size} after ${i + 1} keys`);
  }
  assert.equal(limiter.size, 100);
});

test('eviction takes the least recently used key, keeping active ones drained', () => {
  const limiter = new KeyedRateLimiter({ limits, maxKeys: 2 });
  limiter.tryTake('hot', 2, 0); // drained
  limiter.tryTake('cold', 1, 0);
  limiter.tryTake('hot', 1, 0); // refused, but touched: now most recent
  limiter.tryTake('new', 1, 0); // evicts 'cold', not 'hot'
  assert.equal(limiter.tryTake('hot', 1, 0).ok, false, 'the hot key kept its drained bucket');
});

test('prune forgets only buckets that have refilled completely', () => {
  const limiter = new KeyedRateLimiter({ limits, maxKeys: 10 });
  limiter.tryTake('a', 2, 0);
  limiter.tryTake('b', 1, 1500);
  assert.equal(limiter.prune(2000), 1); // 'a' refilled 2 tokens by t=2000; 'b' is still at 1.5
  assert.equal(limiter.size, 1);
  assert.equal(limiter.tryTake('b', 2, 2000).ok, false, "b's partial state was kept");
});

test('per-key limits (e.g. a plugin of its own) are read when the bucket is created', () => {
  const limiter = new KeyedRateLimiter({ limits, maxKeys: 10, limitsFor: (key) => (key === 'plugin:bulk' ? { ratePerSecond: 1, burst: 10 } : undefined) });
  for (let i = 0; i < 10; i++) assert.equal(limiter.tryTake('plugin:bulk', 1, 0).ok, true);
  assert.equal(limiter.tryTake('plugin:small', 2, 0).ok, true);
  assert.equal(limiter.tryTake('plugin:small', 1, 0).ok, false);
});

test('maxKeys must be a positive integer', () => {
  for (const maxKeys of [0, 1.5, -3]) {
    assert.throws(() => new KeyedRateLimiter({ limits, maxKeys }), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INVALID_CONFIG');
  }
});
