// A DLQ listing with a filter reads the deadAt index in chunks. Entries other
// hosts dead-letter (or replay) between two chunks must not shift the rest:
// each entry is listed once, none is missed. Also with many entries sharing
// one deadAt, the chunks walk through the ties without repeating them.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { RedisStore } from '../../src/store/redis-store.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';

const skip = await redisSkipReason();
const T = 1_700_000_000_000;
const event = (id: string): PlexusEvent => ({ specversion: '1.0', id, source: 'test', type: 'test.dlq' });
const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}`;

async function deadLetter(store: RedisStore, prefix: string, count: number, plugin: string, at: (i: number) => number): Promise<void> {
  await store.accept(Array.from({ length: count }, (_, i) => ({ event: event(`${prefix}-e${i}`), acceptedAt: T, deliveries: [{ id: id(prefix, i), plugin }] })), 0);
  await store.settle(Array.from({ length: count }, (_, i) => ({ kind: 'dead' as const, deliveryId: id(prefix, i), attempt: 1, reason: 'permanent' as const, at: at(i) })), [], 0);
}

test('entries dead-lettered between two chunks of a filtered listing shift nothing; ties walk through once', { skip }, async () => {
  const prefix = `plexus-test:${randomUUID()}:`;
  let betweenChunks: (() => Promise<void>) | undefined;
  const client = new Redis(REDIS_URL);
  const call = client.call.bind(client) as (name: string, args: unknown[]) => Promise<unknown>;
  (client as unknown as { call: typeof call }).call = async (name, args) => {
    const reply = await call(name, args);
    const hook = betweenChunks;
    if (name === 'ZRANGE' && hook) {
      betweenChunks = undefined;
      await hook();
    }
    return reply;
  };
  const reader = await RedisStore.connect({ redis: client, prefix, host: 'aaaaaaaa0001' });
  const other = await RedisStore.connect({ url: REDIS_URL, prefix, host: 'bbbbbbbb0002' });
  try {
    await deadLetter(other, 'a', 600, 'a', (i) => T + i);
    betweenChunks = () => deadLetter(other, 'b', 3, 'b', () => T + 10_000);
    const listed = (await reader.listDlq({ plugin: 'a' }, { limit: 1000 })).map((e) => e.id);
    assert.equal(listed.length, 600);
    assert.equal(new Set(listed).size, 600, 'no entry listed twice');

    // 1,200 entries dead-lettered in the same millisecond: more ties than a chunk.
    await deadLetter(other, 'c', 1200, 'c', () => T + 20_000);
    const ties = (await reader.listDlq({ plugin: 'c' }, { limit: 2000 })).map((e) => e.id);
    assert.equal(ties.length, 1200);
    assert.equal(new Set(ties).size, 1200);
    assert.equal(await reader.countDlq({ plugin: 'c' }), 1200);
  } finally {
    await other.destroyAll();
    await other.close();
    await reader.close();
    client.disconnect();
  }
});
