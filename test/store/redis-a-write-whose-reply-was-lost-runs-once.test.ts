// A connection that drops after Redis ran a write script but before its reply
// arrived: ioredis sends the same EVALSHA again once it has reconnected. Run
// twice, an accept would refuse its own delivery as a conflict, a webhook's
// replay claim would come back as "replayed", an incr would count twice and a
// settle would fail after it had applied. Each call's script runs once; the
// resend gets the first run's answer.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { RedisStore } from '../../src/store/redis-store.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';

const skip = await redisSkipReason();

/** A proxy to Redis that, when armed, drops the connection instead of passing on the reply to the next EVALSHA. */
async function replyDroppingProxy(): Promise<{ port: number; dropNextScriptReply(): void; close(): void }> {
  const state = { armed: false, dropping: false };
  const upstreamPort = Number(new URL(REDIS_URL).port || 6379);
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    client.on('data', (data: Buffer) => {
      if (state.armed && data.includes('EVALSHA')) {
        state.armed = false;
        state.dropping = true;
      }
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (state.dropping) {
        // Redis has run the script; its reply is lost with the connection.
        state.dropping = false;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(data);
    });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, dropNextScriptReply: () => void (state.armed = true), close: () => void server.close() };
}

const event = (id: string): PlexusEvent => ({ specversion: '1.0', id, source: 'test', type: 'test.once' });

test('accept, settle, claims and incr answer as if the reply had never been lost', { skip }, async () => {
  const proxy = await replyDroppingProxy();
  const prefix = `plexus-test:${randomUUID()}:`;
  const store = await RedisStore.connect({ url: `redis://127.0.0.1:${proxy.port}`, prefix, host: 'abcdef012345' });
  const now = Date.now();
  try {
    // The scripts are loaded (EVAL) on first use: warm them so the armed call is an EVALSHA.
    await store.accept([{ event: event('warm'), acceptedAt: now, deliveries: [], claim: { key: 'warm', ttlMs: 60_000 } }], 0);
    await store.kvIncr('ns', 'warm', 1, now);

    proxy.dropNextScriptReply();
    const accepted = await store.accept([{ event: event('e1'), acceptedAt: now, deliveries: [{ id: 'd1', plugin: 'p' }], claim: { key: 'gh:1', ttlMs: 60_000 } }], 0);
    assert.deepEqual(accepted.created.map((d) => d.id), ['d1']);
    assert.deepEqual(accepted.replayed ?? [], [], 'its own claim is not a replay');
    assert.deepEqual((await store.pending()).map((d) => d.id), ['d1']);
    assert.equal((await store.readJournal({ from: 0, to: now + 1, limit: 10 })).filter((e) => e.event.id === 'e1').length, 1, 'journaled once');

    proxy.dropNextScriptReply();
    await store.settle([{ kind: 'done', deliveryId: 'd1' }], [{ event: event('emitted'), acceptedAt: now, deliveries: [{ id: 'n1', plugin: 'q' }] }], 0);
    assert.deepEqual((await store.pending()).map((d) => d.id), ['n1']);

    proxy.dropNextScriptReply();
    assert.equal(await store.kvIncr('ns', 'counter', 5, now), 5);
    assert.equal(await store.kvIncr('ns', 'counter', 1, now), 6, 'the lost call counted once');
  } finally {
    await store.destroyAll();
    await store.close();
    proxy.close();
  }
});
