// Two hosts reading one stream through one consumer group are competing
// consumers: Redis hands each entry to one of them (their consumer names
// differ by default: host name + state dir), both do part of the work, and
// nothing is lost or completed twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RedisIngress } from '../../src/ingress/redis/redis-ingress.ts';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { keys, tally } from './loss-tally.ts';
import { groupLag, pendingCount, rawRedis, REDIS_URL } from './redis-helpers.ts';

const COUNT = 3000;

test('two hosts on one stream share the work, each entry handled once', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('shared');
  const redis = await rawRedis();
  const brokers = { redis: { main: { url: REDIS_URL, streams: [{ key: stream, group: 'g', type: 'share.work', batchSize: 20, blockMs: 100 }] } } };
  const first = await BrokerHost.start({ brokers });
  const second = await BrokerHost.start({ brokers });
  try {
    const [a, b] = [first.broker('redis:main'), second.broker('redis:main')];
    assert.ok(a instanceof RedisIngress && b instanceof RedisIngress);
    assert.notEqual(a.consumer, b.consumer, 'default consumer names differ between hosts');
    for (let i = 0; i < COUNT; i += 100) {
      const pipeline = redis.pipeline();
      for (let j = i; j < i + 100; j++) pipeline.xadd(stream, '*', 'n', String(j));
      await pipeline.exec();
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor('every entry acknowledged', async () => (await groupLag(redis, stream, 'g')) === 0 && (await pendingCount(redis, stream, 'g')) === 0 && first.pending === 0 && second.pending === 0, 60_000);
    const { lost, duplicates, handledBy: [byFirst = 0] } = await tally(keys(COUNT), [(key) => first.seen(key), (key) => second.seen(key)]);
    t.diagnostic(`two hosts on a stream: ${byFirst} by the first, ${COUNT - byFirst} by the second, ${duplicates} duplicates, ${lost} lost`);
    assert.equal(lost, 0);
    assert.equal(duplicates, 0);
    assert.ok(byFirst > COUNT * 0.1 && byFirst < COUNT * 0.9, `the work is shared (${byFirst} of ${COUNT} by the first host)`);
  } finally {
    await first.stop();
    await second.stop();
    await redis.del(stream);
    redis.disconnect();
  }
});
