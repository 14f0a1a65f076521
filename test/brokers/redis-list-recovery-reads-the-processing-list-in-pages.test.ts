// A crash can leave a list consumer's processing list huge. Recovery used to
// read it with one LRANGE 0 -1 and hand it all to the host as one batch; it
// now reads it in pages (batchSize items, RECOVERY_PAGE_BYTES), each taken
// before the next is read, while the items of earlier pages settle and leave
// the list (LREM by value, the leftmost equal item) between reads. Equal items
// make that interesting: the cursor must move back only for a removal that
// took an item already read. Nothing is lost, nothing taken twice, order kept.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { BrokerStats } from '../../src/ingress/broker-stats.ts';
import type { BrokerIntake } from '../../src/ingress/broker-intake.ts';
import type { BrokerMessage } from '../../src/ingress/broker-message.ts';
import type { RedisListConfig } from '../../src/ingress/broker-config.ts';
import { RECOVERY_PAGE_BYTES, RedisListConsumer } from '../../src/ingress/redis/redis-list-consumer.ts';
import type { ConsumerRun } from '../../src/ingress/redis/redis-session.ts';
import { requireService } from '../helpers/services.ts';
import { rawRedis } from './redis-helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Session { run: ConsumerRun; connections: Redis[]; end(): void }

async function session(): Promise<Session> {
  let stop = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const state = { active: true };
  const commands = await rawRedis();
  const reader = await rawRedis();
  return { run: { get active() { return state.active; }, stopped, reader, commands }, connections: [commands, reader], end: () => { state.active = false; stop(); } };
}

/** A host stub: records each batch taken; acknowledges the messages (shortly after) only while `acking`. */
function hostStub() {
  const batches: BrokerMessage[][] = [];
  const state = { acking: true };
  const intake = {
    get pending() { return 0; },
    below: () => Promise.resolve(),
    take: async (messages: BrokerMessage[]) => {
      batches.push(messages);
      if (state.acking) setTimeout(() => { if (state.acking) for (const m of messages) m.ack(); }, 1);
    },
  };
  return { batches, state, intake: intake as unknown as BrokerIntake, items: () => batches.flat().map((m) => m.body.toString('latin1')) };
}

/** Many equal items among unique ones, so LREM by value meets items on both sides of the cursor. */
const entry = (i: number) => (i % 3 === 0 ? `dup-${i % 5}` : `item-${i}`);

function consumer(key: string, intake: BrokerIntake, batchSize = 100, maxInFlight = 1000): { consumer: RedisListConsumer; stats: BrokerStats } {
  const stats = new BrokerStats();
  return { consumer: new RedisListConsumer({ key, end: 'left', batchSize, maxInFlight } as RedisListConfig, 'me', intake, stats), stats };
}

async function fill(admin: Redis, key: string, items: readonly (string | Buffer)[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) await admin.rpush(key, ...items.slice(i, i + 1000));
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('5,000 items left in the processing list are recovered in bounded pages, once each, in order', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const key = `plexus-test-list-pages-${randomUUID().slice(0, 8)}`;
  const admin = await rawRedis();
  const host = hostStub();
  const { consumer: c, stats } = consumer(key, host.intake, 100, 250);
  const all = Array.from({ length: 5000 }, (_, i) => entry(i));
  const s = await session();
  try {
    await fill(admin, c.processingKey, all);
    const loop = c.run(s.run);
    await until('every item recovered', () => host.items().length >= all.length);
    await until('the processing list emptied', async () => (await admin.llen(c.processingKey)) === 0);
    await sleep(200);
    s.end();
    await loop;
    assert.ok(host.batches.length >= 50, `pages, not one batch (${host.batches.length} batches)`);
    assert.ok(host.batches.every((b) => b.length <= 100), `no page over batchSize (largest ${Math.max(...host.batches.map((b) => b.length))})`);
    assert.deepEqual(host.items(), all, 'every item once, in list order');
    assert.equal(stats.recovered, all.length);
  } finally {
    s.end();
    await admin.del(key, c.processingKey);
    admin.disconnect();
    for (const x of s.connections) x.disconnect();
  }
});

test('a recovery page holds at most RECOVERY_PAGE_BYTES (an item larger is a page of its own)', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const key = `plexus-test-list-page-bytes-${randomUUID().slice(0, 8)}`;
  const admin = await rawRedis();
  const host = hostStub();
  const { consumer: c } = consumer(key, host.intake, 100, 1000);
  const mib = 1024 * 1024;
  const sizes = [...Array.from({ length: 24 }, () => mib), RECOVERY_PAGE_BYTES + 10, ...Array.from({ length: 30 }, () => 100), 3 * mib, 2 * mib];
  const all = sizes.map((size, i) => Buffer.alloc(size, 97 + (i % 26)));
  const s = await session();
  try {
    await fill(admin, c.processingKey, all);
    const loop = c.run(s.run);
    await until('every item recovered', () => host.items().length >= all.length);
    s.end();
    await loop;
    const bytes = host.batches.map((b) => b.reduce((sum, m) => sum + m.body.length, 0));
    assert.ok(host.batches.every((b, i) => b.length === 1 || (bytes[i] ?? 0) <= RECOVERY_PAGE_BYTES), `pages of ${bytes.join(', ')} bytes`);
    assert.deepEqual(host.batches.map((b) => b.length).slice(0, 7), [4, 4, 4, 4, 4, 4, 1], '4 items of 1 MiB a page, then the oversized one alone');
    assert.deepEqual(host.items(), all.map((b) => b.toString('latin1')), 'every item once, in list order');
  } finally {
    s.end();
    await admin.del(key, c.processingKey);
    admin.disconnect();
    for (const x of s.connections) x.disconnect();
  }
});

test('a host that dies mid-recovery loses nothing, and its successor takes exactly what is left', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const key = `plexus-test-list-pages-crash-${randomUUID().slice(0, 8)}`;
  const admin = await rawRedis();
  const all = Array.from({ length: 5000 }, (_, i) => entry(i));
  const first = hostStub();
  const { consumer: a } = consumer(key, first.intake, 100, 300);
  const s1 = await session();
  const second = hostStub();
  const { consumer: b } = consumer(key, second.intake, 100, 300);
  const s2 = await session();
  try {
    await fill(admin, a.processingKey, all);
    const loop1 = a.run(s1.run);
    await until('part of the list recovered', () => first.items().length >= 1500);
    // The crash: the connections drop with pages taken, some settled, some removals on their way.
    first.state.acking = false;
    for (const x of s1.connections) x.disconnect();
    s1.end();
    await loop1.catch(() => undefined);
    const taken = first.items();
    assert.deepEqual(taken, all.slice(0, taken.length), 'the first host took a prefix of the list, in order, once each');
    const left = await admin.lrange(a.processingKey, 0, -1);
    assert.deepEqual(left.slice(left.length - (all.length - taken.length)), all.slice(taken.length), 'nothing it had not taken is gone');
    assert.ok(left.length < all.length, 'some were settled and removed before the crash');
    // A new process (nothing in memory) takes over the processing list.
    const loop2 = b.run(s2.run);
    await until('the rest recovered', () => second.items().length >= left.length);
    await until('the processing list emptied', async () => (await admin.llen(b.processingKey)) === 0);
    s2.end();
    await loop2;
    assert.deepEqual(second.items(), left, 'the successor takes exactly what was left, once each, in order');
    assert.ok(second.batches.every((x) => x.length <= 100));
  } finally {
    s1.end();
    s2.end();
    await admin.del(key, a.processingKey);
    admin.disconnect();
    for (const x of [...s1.connections, ...s2.connections]) x.disconnect();
  }
});

test('items of a stopped session that settle during the next recovery are never taken again', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const key = `plexus-test-list-pages-restart-${randomUUID().slice(0, 8)}`;
  const admin = await rawRedis();
  const all = Array.from({ length: 5000 }, (_, i) => entry(i));
  const host = hostStub();
  host.state.acking = false;
  const { consumer: c } = consumer(key, host.intake, 100, 1000);
  const s1 = await session();
  const s2 = await session();
  try {
    await fill(admin, c.processingKey, all);
    // Session 1 recovers up to maxInFlight and holds it all (the host is slow): recovery waits, then the session stops.
    const loop1 = c.run(s1.run);
    await until('session 1 full', () => host.items().length >= 1000);
    await sleep(200);
    assert.equal(host.items().length, 1000, 'recovery waits below maxInFlight');
    s1.end();
    await loop1;
    const held = host.batches.flat();
    // Session 2 recovers while session 1's items settle, a few at a time, between its pages.
    host.state.acking = true;
    const loop2 = c.run(s2.run);
    for (let i = 0; i < held.length; i += 25) {
      for (const m of held.slice(i, i + 25)) m.ack();
      await sleep(2);
    }
    await until('every item taken', () => host.items().length >= all.length);
    await until('the processing list emptied', async () => (await admin.llen(c.processingKey)) === 0);
    await sleep(200);
    s2.end();
    await loop2;
    assert.deepEqual(host.items(), all, 'each item taken once, in list order');
  } finally {
    s1.end();
    s2.end();
    await admin.del(key, c.processingKey);
    admin.disconnect();
    for (const x of [...s1.connections, ...s2.connections]) x.disconnect();
  }
});
