// Plugin kv (CONTRACT §4) and webhook replay keys (seen/forget). Every expiry
// is judged against the injected `now`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T, rejectsWithCode, using, type StoreFactory } from './conformance-helpers.ts';
import { MAX_TTL_MS } from '../../src/store/store-args.ts';

// Long enough that Redis (which also expires the key by wall clock, to reclaim
// it) never drops a value while the injected clock still calls it live.
const TTL = 60_000;

export function kvCases(factory: StoreFactory): void {
  test('kv get, set, overwrite and delete', using(factory, async (store) => {
    assert.equal(await store.kvGet('p', 'k', T), null);
    await store.kvSet('p', 'k', '{"a":[1,2]}', null, T);
    assert.equal(await store.kvGet('p', 'k', T), '{"a":[1,2]}');
    await store.kvSet('p', 'k', '"second"', null, T);
    assert.equal(await store.kvGet('p', 'k', T), '"second"');
    assert.equal(await store.kvDelete('p', 'k', T), true);
    assert.equal(await store.kvDelete('p', 'k', T), false);
    assert.equal(await store.kvGet('p', 'k', T), null);
  }));

  test('kv values expire at set time + ttlMs on the injected clock', using(factory, async (store) => {
    await store.kvSet('p', 'k', '1', TTL, T);
    assert.equal(await store.kvGet('p', 'k', T + TTL - 1), '1');
    assert.equal(await store.kvGet('p', 'k', T + TTL), null);
    assert.equal(await store.kvDelete('p', 'k', T + TTL), false, 'an expired value does not count as deleted');
    await store.kvSet('p', 'k', '2', TTL, T);
    await store.kvSet('p', 'k', '3', null, T);
    assert.equal(await store.kvGet('p', 'k', T + 1e9), '3', 'setting without a TTL clears the old one');
    await rejectsWithCode(store.kvSet('p', 'k', '4', 0, T), 'PLEXUS_INVALID_REQUEST');
    await rejectsWithCode(store.kvSet('p', 'k', '4', Number.NaN, T), 'PLEXUS_INVALID_REQUEST');
  }));

  test('a TTL beyond 100 years ("practically forever") is kept as 100 years, on both stores alike', using(factory, async (store) => {
    await store.kvSet('p', 'old', '"old"', null, T);
    await store.kvSet('p', 'old', '"new"', Number.MAX_VALUE, T);
    assert.equal(await store.kvGet('p', 'old', T + 50 * 365 * 86_400_000), '"new"');
    assert.equal(await store.kvGet('p', 'old', T + MAX_TTL_MS), null);
    assert.equal(await store.seen('forever', 1e19, T), false);
    assert.equal(await store.seen('forever', 1e19, T + 1000), true);
  }));

  test('kv namespaces are isolated', using(factory, async (store) => {
    await store.kvSet('a', 'k', '"A"', null, T);
    await store.kvSet('b', 'k', '"B"', null, T);
    await store.kvSet('x:y', 'z', '"XY-Z"', null, T);
    await store.kvSet('x', 'y:z', '"X-YZ"', null, T);
    assert.deepEqual(
      [await store.kvGet('a', 'k', T), await store.kvGet('b', 'k', T), await store.kvGet('x:y', 'z', T), await store.kvGet('x', 'y:z', T)],
      ['"A"', '"B"', '"XY-Z"', '"X-YZ"'],
    );
    await store.kvDelete('a', 'k', T);
    assert.equal(await store.kvGet('b', 'k', T), '"B"');
    assert.equal(await store.kvIncr('a', 'n', 1, T), 1);
    assert.equal(await store.kvGet('b', 'n', T), null);
  }));

  test('kv incr starts from 0, adds as JSON numbers and keeps values as JSON text', using(factory, async (store) => {
    assert.equal(await store.kvIncr('p', 'n', 5, T), 5);
    assert.equal(await store.kvGet('p', 'n', T), '5');
    assert.equal(await store.kvIncr('p', 'n', -7, T), -2);
    assert.equal(await store.kvIncr('p', 'n', 2.5, T), 0.5);
    assert.equal(JSON.parse((await store.kvGet('p', 'n', T)) ?? 'null'), 0.5);
    await store.kvSet('p', 'f', '0.1', null, T);
    assert.equal(await store.kvIncr('p', 'f', 0.2, T), 0.1 + 0.2, 'plain double addition on both stores');
    await store.kvSet('p', 'e', '1e3', null, T);
    assert.equal(await store.kvIncr('p', 'e', 1, T), 1001);
    assert.equal(await store.kvGet('p', 'e', T), '1001');
  }));

  test('kv incr on a value that is not a JSON number throws PLEXUS_INVALID_REQUEST and changes nothing', using(factory, async (store) => {
    for (const value of ['"3"', 'true', 'null', '[1]', 'abc', ' 3', '0x10', '01', '1.', 'Infinity']) {
      await store.kvSet('p', 'k', value, null, T);
      await rejectsWithCode(store.kvIncr('p', 'k', 1, T), 'PLEXUS_INVALID_REQUEST');
      assert.equal(await store.kvGet('p', 'k', T), value);
    }
    await rejectsWithCode(store.kvIncr('p', 'n', Number.POSITIVE_INFINITY, T), 'PLEXUS_INVALID_REQUEST');
    await store.kvSet('p', 'big', '1.7976931348623157e308', null, T);
    await rejectsWithCode(store.kvIncr('p', 'big', 1.7976931348623157e308, T), 'PLEXUS_INVALID_REQUEST');
  }));

  test('kv incr keeps a live TTL; an expired value starts again from 0 without one', using(factory, async (store) => {
    await store.kvSet('p', 'n', '10', TTL, T);
    assert.equal(await store.kvIncr('p', 'n', 1, T + 10), 11);
    assert.equal(await store.kvGet('p', 'n', T + TTL - 1), '11');
    assert.equal(await store.kvGet('p', 'n', T + TTL), null);
    assert.equal(await store.kvIncr('p', 'n', 1, T + 2 * TTL), 1);
    assert.equal(await store.kvGet('p', 'n', T + 1e9), '1');
  }));

  test('seen records a key for ttlMs and answers whether it was already recorded; forget drops it', using(factory, async (store) => {
    assert.equal(await store.seen('hook-1', TTL, T), false);
    assert.equal(await store.seen('hook-1', TTL, T + TTL - 1), true);
    assert.equal(await store.seen('hook-2', TTL, T + TTL - 1), false, 'keys are independent');
    assert.equal(await store.seen('hook-1', TTL, T + TTL), false, 'expired: recorded afresh');
    assert.equal(await store.seen('hook-1', TTL, T + TTL + 500), true);
    await store.forget('hook-1');
    assert.equal(await store.seen('hook-1', TTL, T + TTL + 500), false);
    await store.forget('never-recorded');
    await rejectsWithCode(store.seen('hook-3', 0, T), 'PLEXUS_INVALID_REQUEST');
  }));

  test('concurrent claims of one key: exactly one is first, whatever batches them', using(factory, async (store) => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => store.seen(i % 2 === 0 ? 'burst-a' : 'burst-b', TTL, T)));
    assert.equal(answers.filter((seen, i) => !seen && i % 2 === 0).length, 1, 'burst-a claimed once');
    assert.equal(answers.filter((seen, i) => !seen && i % 2 === 1).length, 1, 'burst-b claimed once');
    assert.equal(answers[0], false, 'the first caller gets the claim');
  }));
}
