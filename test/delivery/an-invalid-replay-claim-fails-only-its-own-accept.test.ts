// Accepts that arrive together share one store write (group-commit.ts), and
// the store checks replay claims for the merged write as a whole. A claim
// the store refuses (PLEXUS_INVALID_REQUEST: no key, a TTL that is not
// positive) is its caller's own mistake: it must fail that accept alone,
// not a webhook accepted in the same turn, whose sender would read the
// 400 as final and never send its delivery again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namedEvent, SqliteEngineFixture, succeed, testPlugin } from './sqlite-engine-fixture.ts';

test('an accept with an invalid replay claim fails alone; one merged with it is accepted and durable', async (t) => {
  const fixture = new SqliteEngineFixture();
  t.after(() => fixture.close());
  fixture.engine.setPlugins([testPlugin('p', async (events) => succeed(events))]);

  const good = fixture.engine.accept([namedEvent('good')], undefined, [{ key: 'webhook:s:good', ttlMs: 60_000 }]);
  const bad = fixture.engine.accept([namedEvent('bad')], undefined, [{ key: 'webhook:s:bad', ttlMs: 0 }]);
  const [goodOutcome, badOutcome] = await Promise.allSettled([good, bad]);

  assert.equal(badOutcome.status, 'rejected');
  assert.match(String((badOutcome as PromiseRejectedResult).reason), /ttlMs must be a positive number/);
  assert.equal(goodOutcome.status, 'fulfilled', `the valid accept failed: ${String((goodOutcome as PromiseRejectedResult).reason)}`);
  assert.equal((goodOutcome as PromiseFulfilledResult<{ replayed?: number[] }>).value.replayed, undefined);
  // Its claim was written with it: the sender's copy is a replay now.
  assert.equal(await fixture.store.seen('webhook:s:good', 60_000, Date.now()), true);
  assert.equal(await fixture.store.seen('webhook:s:bad', 60_000, Date.now()), false, 'the refused accept claimed nothing');
  await fixture.engine.idle();
});
