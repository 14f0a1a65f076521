// Fault test: Redis is restarted in the middle of a 10,000-entry stream. The
// ingress reconnects by itself, acknowledges what settled while Redis was
// down, re-reads its own pending entries and resumes; afterwards every entry
// was handled, none lost, duplicates counted and reported.
//
// An `.exclusive-test.ts` file: it stops a broker every other test shares, so
// `npm test` runs it alone, after the other files (which run two at a time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { keys, tally } from './loss-tally.ts';
import { groupLag, pendingCount, rawRedis, rawRedisWhenUp, REDIS_URL } from './redis-helpers.ts';
import { restartRedis } from './restart-services.ts';

const COUNT = 10_000;
const CHUNK = 100;

test('Redis restarted mid-stream: consumption resumes, nothing lost, duplicates counted', { timeout: 180_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('restart');
  const broker = await BrokerHost.start({
    brokers: { redis: { main: { url: REDIS_URL, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }, streams: [{ key: stream, group: 'g', type: 'restart.test', blockMs: 200 }] } } },
  });
  let resent = 0;
  let redis: Redis = await rawRedis();
  const started = Date.now();
  try {
    // A producer that re-sends a chunk whose XADDs failed (some may have been stored: duplicates).
    const publishing = (async () => {
      for (let start = 0; start < COUNT; start += CHUNK) {
        for (;;) {
          try {
            const pipeline = redis.pipeline();
            for (let i = start; i < start + CHUNK; i++) pipeline.xadd(stream, '*', 'n', String(i));
            const results = await pipeline.exec();
            if (results === null || results.some(([err]) => err !== null)) throw new Error('XADD failed');
            break;
          } catch {
            resent += CHUNK;
            redis.disconnect();
            await new Promise((r) => setTimeout(r, 300));
            redis = await rawRedisWhenUp();
          }
        }
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const ingress = broker.broker('redis:main');
    await waitFor('a third of the stream handled', () => ingress.stats.acked >= COUNT / 3, 60_000);
    const restartedAt = ingress.stats.acked;
    await restartRedis(1000);
    await waitFor('the ingress reconnected', () => ingress.connection.state === 'connected', 30_000);
    await publishing;
    await waitFor('every entry acknowledged', async () => broker.pending === 0 && (await broker.seen(COUNT - 1)) >= 1 && (await pendingCount(redis, stream, 'g')) === 0 && (await groupLag(redis, stream, 'g')) === 0, 90_000);

    const { lost, duplicates } = await tally(keys(COUNT), [(key) => broker.seen(key)]);
    const { stats } = ingress;
    t.diagnostic(`redis restart: ${COUNT} entries (${resent} re-sent by the producer), restart after ${restartedAt} acks, ${ingress.connection.reconnects} reconnect(s), ` +
      `${stats.received} received, ${stats.recovered} re-read from the own pending list, ${stats.joined} joined in flight, ${stats.alreadySettled} recognised as settled, ` +
      `${duplicates} duplicate executions, ${lost} lost, ${Date.now() - started} ms`);
    assert.equal(lost, 0, `${lost} entries were never handled`);
    assert.ok(ingress.connection.reconnects >= 1, 'the connection was lost and restored');
  } finally {
    await broker.stop();
    await redis.del(stream).catch(() => undefined);
    redis.disconnect();
  }
});
