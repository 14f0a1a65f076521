// Hosts sharing one Redis store: each runs the deliveries it created (its
// host id is in their ids); while a host's lease lives nobody else touches
// them; once it is gone (closed, or lapsed) another host adopts them, and
// two adopters never both get one. A restarted host takes back only what
// nobody adopted meanwhile. DLQ replays are run by the host that replayed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DeliveryIds } from '../../src/delivery/delivery-ids.ts';
import type { RedisStore } from '../../src/store/redis-store.ts';
import { hostLeaseKey, redisKeys } from '../../src/store/redis-keys.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';
import { redisStoresCleanedAfterTheseTests } from './redis-test-stores.ts';

const skip = await redisSkipReason();
const stores = redisStoresCleanedAfterTheseTests();
const HOSTS = { a: 'aaaaaaaa0001', b: 'bbbbbbbb0002', c: 'cccccccc0003', d: 'dddddddd0004' };

const hostOn = (prefix: string, id: string): Promise<RedisStore> => stores.connect({ prefix, host: id });

const event = (id: string): PlexusEvent => ({ specversion: '1.0', id, source: 'test', type: 'orders.created' });
const ids = (records: readonly { id: string }[]) => records.map((r) => r.id).sort();

test('a stopped host\'s deliveries are adopted once, by one host, and not taken back', { skip }, async () => {
  const prefix = stores.sharedPrefix();
  const host = (id: string) => hostOn(prefix, id);
  const a = await host(HOSTS.a);
  const b = await host(HOSTS.b);
  const made = new DeliveryIds(HOSTS.a);
  const now = Date.now();
  const created = (await a.accept([0, 1, 2].map((n) => ({ event: event(`e${n}`), acceptedAt: now, deliveries: [{ id: made.next(now), plugin: 'p' }] })), 0)).created;
  assert.equal(created.length, 3);

  assert.deepEqual(await b.adopt({ own: false }), [], 'a lives: its deliveries are its own');
  assert.deepEqual(await b.adopt({ own: true }), [], 'none of them is b\'s');
  assert.deepEqual(ids(await a.adopt({ own: true })), ids(created), 'a, restarted, would run them all');

  await a.close();
  const adopted = await b.adopt({ own: false });
  assert.deepEqual(ids(adopted), ids(created), 'a stopped: b takes everything it left');
  assert.deepEqual(adopted.map((r) => r.event.id).sort(), ['e0', 'e1', 'e2'], 'with their events');
  assert.deepEqual(await b.adopt({ own: false }), [], 'adopted once');

  const a2 = await host(HOSTS.a);
  assert.deepEqual(await a2.adopt({ own: true }), [], 'a came back: what b adopted stays b\'s');
  assert.deepEqual(ids(await b.adopt({ own: true })), ids(created), 'b, restarted, would run them');

  await b.settle([{ kind: 'done', deliveryId: created[0]?.id as string }], [], 0);
  await b.close();
  const [c, d] = await Promise.all([host(HOSTS.c), host(HOSTS.d)]);
  const [byC, byD] = await Promise.all([c.adopt({ own: false }), d.adopt({ own: false })]);
  assert.deepEqual([...ids(byC), ...ids(byD)].sort(), ids(created.slice(1)), 'two adopters split what is left, nothing twice, the settled one not at all');
  await Promise.all([a2.close(), c.close(), d.close()]);
});

test('a lapsed lease counts as stopped; a DLQ replay is run by the host that replayed it', { skip }, async () => {
  const prefix = stores.sharedPrefix();
  const host = (id: string) => hostOn(prefix, id);
  const a = await host(HOSTS.a);
  const c = await host(HOSTS.c);
  const made = new DeliveryIds(HOSTS.a);
  const now = Date.now();
  const [live, dead] = (await a.accept([0, 1].map((n) => ({ event: event(`l${n}`), acceptedAt: now, deliveries: [{ id: made.next(now), plugin: 'p' }] })), 0)).created;
  await a.settle([{ kind: 'dead', deliveryId: dead?.id as string, attempt: 1, reason: 'permanent', at: now }], [], 0);

  const replayed = await c.replayDlq({}, now + 1);
  assert.deepEqual(ids(replayed), [dead?.id]);
  assert.deepEqual(ids(await c.adopt({ own: true })), [dead?.id], 'c runs what it replayed, though a\'s id is on it');
  assert.deepEqual(ids(await a.adopt({ own: true })), [live?.id]);

  // a's process dies without closing: its lease is what lapses (here: removed, as expiry would).
  const raw = new Redis(REDIS_URL);
  await raw.del(hostLeaseKey(redisKeys(prefix), HOSTS.a));
  raw.disconnect();
  assert.deepEqual(ids(await c.adopt({ own: false })), [live?.id]);
  await Promise.all([a.close(), c.close()]);
});

test('a host that restarts while another is adopting its deliveries keeps them: the adoption re-checks its lease', { skip }, async () => {
  const prefix = stores.sharedPrefix();
  // b's client holds its adopt script until a has restarted and recovered: the adopter has read
  // the leases (a was gone) before a came back, the widest form of that window.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const atScript = new Promise<void>((resolve) => (reached = resolve));
  const bClient = new Redis(REDIS_URL);
  const call = bClient.call.bind(bClient) as (name: string, args: unknown[]) => Promise<unknown>;
  (bClient as unknown as { call: typeof call }).call = async (name, args) => {
    if (name === 'EVALSHA' && String(args[3]).endsWith('run-by') && String(args[2]).endsWith('deliveries')) {
      reached();
      await gate;
    }
    return call(name, args);
  };
  const a = await hostOn(prefix, HOSTS.a);
  const b = await stores.connect({ redis: bClient, prefix, host: HOSTS.b });
  try {
    const made = new DeliveryIds(HOSTS.a);
    const now = Date.now();
    const created = (await a.accept([0, 1, 2].map((n) => ({ event: event(`r${n}`), acceptedAt: now, deliveries: [{ id: made.next(now), plugin: 'p' }] })), 0)).created;
    await a.close();
    const adopting = b.adopt({ own: false });
    await atScript;
    const a2 = await hostOn(prefix, HOSTS.a);
    const recovered = await a2.adopt({ own: true });
    assert.deepEqual(ids(recovered), ids(created), 'a, restarted, runs its own');
    release();
    assert.deepEqual(await adopting, [], 'b adopts none of them: a is alive again');
  } finally {
    release();
    bClient.disconnect();
  }
});
