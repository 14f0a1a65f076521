// maxInFlight is set per stream, list and pub/sub subscription, and each
// counts only what it holds: a stream's backlog in the host does not make
// a channel drop messages "over maxInFlight", nor keep a list from reading,
// though all three belong to one Redis source.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { rawRedis, REDIS_URL } from './redis-helpers.ts';

test("a stream's backlog does not count against a channel's or a list's maxInFlight", { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('own-limit-s');
  const list = uniqueName('own-limit-l');
  const channel = uniqueName('own-limit-c');
  const redis = await rawRedis();
  const pipeline = redis.pipeline();
  for (let i = 0; i < 200; i++) pipeline.xadd(stream, '*', 'type', 'own.s', 'data', JSON.stringify({ n: `s${i}`, spinMs: 20 }));
  await pipeline.exec();
  const broker = await BrokerHost.start({
    brokers: { redis: { main: { url: REDIS_URL, streams: [{ key: stream, group: 'g', maxInFlight: 1000 }], lists: [{ key: list, type: 'own.l', maxInFlight: 20 }], pubsub: [{ channel, type: 'own.p', maxInFlight: 20 }] } } },
  });
  try {
    await waitFor('the stream backlog held in the host', () => broker.pending > 50, 10_000);
    await redis.rpush(list, JSON.stringify({ n: 'l0' }));
    for (let i = 0; i < 10; i++) await redis.publish(channel, JSON.stringify({ n: `p${i}` }));
    await waitFor('the list item and every message handled', async () => (await broker.seen('l0')) === 1 && (await broker.seen('p9')) === 1, 30_000);
    assert.equal(broker.stats('redis:main').dropped, 0, 'nothing dropped over maxInFlight');
    for (let i = 0; i < 10; i++) assert.equal(await broker.seen(`p${i}`), 1);
  } finally {
    await broker.stop();
    await redis.del(stream, list);
    redis.disconnect();
  }
});
