// The in-memory set behind the SQLite store's replay keys: under a long run
// of random adds, removals and expiry drops (enough to grow the table and to
// fill it with removal markers), it answers exactly what a plain Map of the
// same records answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpiringHashSet } from '../../src/store/expiring-hash-set.ts';

/** A small deterministic PRNG (mulberry32), so a failure replays the same way. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('agrees with a Map of key → expiries through growth, removals and expiry drops', () => {
  const next = random(42);
  const set = new ExpiringHashSet(Buffer.from('0123456789abcdef', 'hex'));
  const model = new Map<string, number[]>();
  const keys = Array.from({ length: 3000 }, (_, i) => `webhook:github:${i.toString(36)}-${Math.floor(next() * 1e9)}`);
  let now = 1_000;
  const expected = (key: string, at: number) => (model.get(key) ?? []).filter((e) => e > at).sort((a, b) => a - b);
  for (let step = 0; step < 40_000; step++) {
    const key = keys[Math.floor(next() * keys.length)] as string;
    const roll = next();
    if (roll < 0.5) {
      if (expected(key, now).length === 0) {
        const expiresAt = now + 1 + Math.floor(next() * 500);
        set.add(key, expiresAt);
        model.set(key, [...(model.get(key) ?? []), expiresAt]);
      }
    } else if (roll < 0.65) {
      for (const expiresAt of model.get(key) ?? []) set.remove(key, expiresAt);
      model.delete(key);
    } else if (roll < 0.651) {
      set.dropExpired(now);
      for (const [k, expiries] of model) model.set(k, expiries.filter((e) => e > now));
    } else {
      assert.deepEqual(set.live(key, now).sort((a, b) => a - b), expected(key, now), `step ${step}: ${key} at ${now}`);
    }
    if (next() < 0.05) now += 1;
  }
  for (const key of keys) assert.deepEqual(set.live(key, now).sort((a, b) => a - b), expected(key, now));
  assert.ok(set.capacity > 64, 'the table grew');
});

test('a time before an expiry still sees the record: expiry is decided by the caller, not by the last time seen', () => {
  const set = new ExpiringHashSet();
  set.add('k', 2_000);
  for (let i = 0; i < 500; i++) set.add(`filler-${i}`, 10 + i);
  assert.deepEqual(set.live('k', 1_999), [2_000]);
  assert.deepEqual(set.live('filler-0', 5), [10], 'growth kept an expired-looking record; only dropExpired forgets');
  set.dropExpired(100);
  assert.deepEqual(set.live('filler-0', 5), []);
  assert.deepEqual(set.live('filler-95', 5), [105]);
  assert.deepEqual(set.live('k', 1_999), [2_000]);
});

test('an expiry must be a positive time', () => {
  assert.throws(() => new ExpiringHashSet().add('k', 0), RangeError);
});

test('removed records do not hold memory: keys added and removed in turn keep the table at its smallest', () => {
  const set = new ExpiringHashSet();
  for (let i = 0; i < 10_000; i++) {
    set.add(`k${i}`, 1_000);
    set.remove(`k${i}`, 1_000);
  }
  assert.equal(set.capacity, 64);
  assert.ok(set.used < 64);
});
