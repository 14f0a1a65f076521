// A host whose lease lapsed while it lived (paused by GC or SIGSTOP past
// LEASE_MS) resumes with settlements of deliveries another host adopted
// meanwhile. Those settlements are stale: the adopter owns the delivery now
// (its run-by names it), and its own outcomes must stand. A stale retry must
// not rewind the adopter's attempt count or delay, a stale dead-letter must
// not move to the DLQ a delivery the adopter is still retrying, and a stale
// done must not remove what the adopter still has to run (it ran it: at
// least once holds either way, but the store's state is the adopter's).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DeliveryIds } from '../../src/delivery/delivery-ids.ts';
import { RefusalRecorder } from '../../src/ingress/broker-refusal.ts';
import { PlexusError } from '@plexus/plugin-sdk';
import { RedisStore } from '../../src/store/redis-store.ts';
import { hostLeaseKey, redisKeys } from '../../src/store/redis-keys.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';

const skip = await redisSkipReason();
const A = 'aaaaaaaa0011';
const B = 'bbbbbbbb0022';
const prefix = `plexus-test:${randomUUID()}:`;
const opened: RedisStore[] = [];

after(async () => {
  for (const store of opened) await store.close();
  if (skip !== undefined) return;
  const cleaner = await RedisStore.connect({ url: REDIS_URL, prefix });
  await cleaner.destroyAll();
  await cleaner.close();
});

const event = (id: string): PlexusEvent => ({ specversion: '1.0', id, source: 'test', type: 'orders.created' });

test('settlements from a host whose lease lapsed do not override the host that adopted its deliveries', { skip }, async () => {
  const a = await RedisStore.connect({ url: REDIS_URL, prefix, host: A });
  const b = await RedisStore.connect({ url: REDIS_URL, prefix, host: B });
  opened.push(a, b);
  const made = new DeliveryIds(A);
  const now = Date.now();
  const created = (await a.accept([0, 1, 2].map((n) => ({ event: event(`e${n}`), acceptedAt: now, deliveries: [{ id: made.next(now), plugin: 'p' }] })), 0)).created;
  const [retried, killed, finished] = created.map((r) => r.id) as [string, string, string];

  // a pauses past its lease: the key expires (removed here, as expiry would) before a renews it.
  const raw = new Redis(REDIS_URL);
  await raw.del(hostLeaseKey(redisKeys(prefix), A));
  raw.disconnect();
  const adopted = await b.adopt({ own: false });
  assert.equal(adopted.length, 3, 'b adopts everything a left');

  // b runs them: all fail once, b schedules their retries.
  const bError = { name: 'Error', message: 'b saw this' };
  await b.settle(created.map((r) => ({ kind: 'retry' as const, deliveryId: r.id, attempt: 1, availableAt: now + 1000, error: bError })), [], 0);

  // a resumes (its next renewal brings its lease back) and writes what it decided before the pause.
  const aError = { name: 'Error', message: 'a saw this' };
  const stale = await a.settle([
    { kind: 'retry', deliveryId: retried, attempt: 5, availableAt: now + 3_600_000, error: aError },
    { kind: 'dead', deliveryId: killed, attempt: 5, reason: 'exhausted', error: aError, at: now },
    { kind: 'done', deliveryId: finished },
  ], [{ event: event('emitted-by-a'), acceptedAt: now, deliveries: [{ id: made.next(now), plugin: 'q' }], cause: finished }], 0);
  // a is told, so its engine forgets them (no retry of its own); what a's run emitted goes with its outcome.
  assert.deepEqual(stale.unapplied, [0, 1, 2], 'a learns that none of its settlements applied');
  assert.deepEqual(stale.created, [], 'the event a\'s stale done emitted is not accepted');
  assert.deepEqual((await b.readJournal({ from: 0, limit: 10 })).map((j) => j.event.id), ['e0', 'e1', 'e2']);

  const pending = new Map((await b.pending()).map((r) => [r.id, r]));
  assert.deepEqual([...pending.keys()].sort(), [...created.map((r) => r.id)].sort(), 'all three are still pending, b\'s to run');
  for (const id of [retried, killed, finished]) {
    const record = pending.get(id);
    assert.equal(record?.attempt, 1, `${id}: b's attempt count stands`);
    assert.equal(record?.availableAt, now + 1000, `${id}: b's retry time stands`);
    assert.equal(record?.lastError?.message, 'b saw this');
  }
  assert.equal(await b.countDlq({}), 0, 'nothing was dead-lettered by a');
  assert.deepEqual(await b.depth(), { p: 3 });
  assert.equal((await b.adopt({ own: true })).length, 3, 'b still runs them');
  assert.deepEqual(await a.adopt({ own: true }), [], 'a does not take them back');

  // b's own outcomes still apply.
  await b.settle([{ kind: 'done', deliveryId: retried }, { kind: 'dead', deliveryId: killed, attempt: 2, reason: 'permanent', at: now }], [], 0);
  assert.deepEqual((await b.pending()).map((r) => r.id), [finished]);
  assert.equal(await b.countDlq({}), 1);
});

test('a host settles its own deliveries, and those whose ids name no host', { skip }, async () => {
  const p2 = `${prefix}own:`;
  const a = await RedisStore.connect({ url: REDIS_URL, prefix: p2, host: A });
  opened.push(a);
  const made = new DeliveryIds(A);
  const now = Date.now();
  const [d] = (await a.accept([{ event: event('own'), acceptedAt: now, deliveries: [{ id: made.next(now), plugin: 'p' }, { id: 'no-host-in-this-id', plugin: 'q' }] }], 0)).created;
  await a.settle([{ kind: 'retry', deliveryId: d?.id as string, attempt: 1, availableAt: now + 5, error: { name: 'Error', message: 'x' } }], [], 0);
  assert.equal((await a.pending()).find((r) => r.id === d?.id)?.attempt, 1);
  await a.settle([{ kind: 'done', deliveryId: d?.id as string }, { kind: 'done', deliveryId: 'no-host-in-this-id' }], [], 0);
  assert.deepEqual(await a.pending(), [], 'an id that names no host is settled by whoever settles it');
  await a.destroyAll();
});

test('a refused broker message reaches the DLQ though another host adopts between its two writes', { skip }, async () => {
  const p3 = `${prefix}refusal:`;
  const a = await RedisStore.connect({ url: REDIS_URL, prefix: p3, host: A });
  const b = await RedisStore.connect({ url: REDIS_URL, prefix: p3, host: B });
  opened.push(a, b);
  // b's periodic adoption runs between the refusal's accept and its dead-letter.
  const store = {
    host: a.host,
    accept: a.accept.bind(a),
    settle: async (...args: Parameters<RedisStore['settle']>) => {
      await b.adopt({ own: false });
      return a.settle(...args);
    },
  };
  const id = await new RefusalRecorder(store, 'amqp:orders', 0).record({ source: 'amqp/orders', body: Buffer.from('not json'), error: new PlexusError('PLEXUS_INVALID_EVENT', 'bad') });
  assert.equal((await a.getDlq(id))?.reason, 'invalid', 'the refusal is a DLQ entry');
  assert.deepEqual(await a.pending(), []);
  await a.destroyAll();
});
