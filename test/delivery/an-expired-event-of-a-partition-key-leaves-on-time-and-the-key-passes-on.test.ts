// An event of a partition key that expires while it waits (behind its key,
// or owning it but not yet running) is dead-lettered at its expiry without
// running, and the key passes on: the key's other events still run one at a
// time in acceptance order (CONTRACT §5 `expiresat`, `partitionkey`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { EXPIRES_IN_MS, EXPIRY_BOUND_MS, expiryFixtures } from './expiry-fixture.ts';
import { latch, namedEvent, nameOf, succeed, testPlugin, until, type SqliteEngineFixture } from './sqlite-engine-fixture.ts';

const expiryFixture = expiryFixtures();

function keyed(name: string, expiresAt?: number): PlexusEvent {
  return namedEvent(name, { partitionkey: 'k', ...(expiresAt === undefined ? {} : { expiresat: new Date(expiresAt).toISOString() }) });
}

/** A plugin (concurrency 2, so the key alone serialises) that holds each batch until the test opens `gates[name]`. */
function setup(): { f: SqliteEngineFixture; ran: string[]; expiredAt: Map<string, number>; gates: Map<string, ReturnType<typeof latch>> } {
  const ran: string[] = [];
  const gates = new Map<string, ReturnType<typeof latch>>();
  const { f, expiredAt } = expiryFixture();
  f.engine.setPlugins([testPlugin('expiry-keyed', async (events) => {
    for (const e of events) {
      ran.push(nameOf(e));
      await gates.get(nameOf(e))?.promise;
    }
    return succeed(events);
  }, { concurrency: 2 })]);
  return { f, ran, expiredAt, gates };
}

test('an event expiring behind its key leaves at its expiry and the key keeps its order', { timeout: 10_000 }, async () => {
  const { f, ran, expiredAt, gates } = setup();
  gates.set('a', latch());
  const deadline = Date.now() + EXPIRES_IN_MS;
  await f.engine.accept([keyed('a'), keyed('b', deadline), keyed('c')]);
  await until(() => expiredAt.has('b'), 'b is dead-lettered', 3000);
  assert.ok((expiredAt.get('b') as number) - deadline <= EXPIRY_BOUND_MS, 'on time');
  assert.deepEqual(ran, ['a'], 'c still waits for a');
  gates.get('a')?.open();
  await f.engine.idle();
  assert.deepEqual(ran, ['a', 'c']);
});

test('an expiring owner of a key that has not run yet leaves at its expiry and passes the key on', { timeout: 10_000 }, async () => {
  const { f, ran, expiredAt, gates } = setup();
  // Two unkeyed batches fill the lane (concurrency 2): b owns the key and waits in the queue, c behind it.
  gates.set('x', latch());
  gates.set('y', latch());
  const deadline = Date.now() + EXPIRES_IN_MS;
  await f.engine.accept([namedEvent('x'), namedEvent('y'), keyed('b', deadline), keyed('c')]);
  await until(() => expiredAt.has('b'), 'b is dead-lettered', 3000);
  assert.ok((expiredAt.get('b') as number) - deadline <= EXPIRY_BOUND_MS, 'on time');
  assert.equal(f.engine.laneStates()[0]?.queued, 1, 'c holds the key, in the queue');
  gates.get('x')?.open();
  gates.get('y')?.open();
  await f.engine.idle();
  assert.deepEqual(ran, ['x', 'y', 'c']);
});
