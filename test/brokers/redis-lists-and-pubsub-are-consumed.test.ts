// Reliable lists: items pushed with redis-cli RPUSH move into this host's
// processing list and leave it only once handled; what a crash left there is
// taken again at start. Pub/sub: channel and pattern subscriptions become
// events, at most once, and are counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { rawRedis, redisCli, REDIS_URL } from './redis-helpers.ts';

test('a reliable list is drained through a processing list recovered at start', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const list = uniqueName('list');
  const processing = `${list}:processing:me`;
  const redis = await rawRedis();
  // Left behind by a crashed run of this host (consumer "me").
  await redis.rpush(processing, JSON.stringify({ n: 'left-0' }), JSON.stringify({ n: 'left-1' }), JSON.stringify({ n: 'left-2' }));
  for (let i = 0; i < 20; i++) await redisCli('RPUSH', list, JSON.stringify({ n: i }));
  await redisCli('RPUSH', list, JSON.stringify({ specversion: '1.0', id: 'list-ce', source: 'cli', type: 'list.cloud', data: { n: 'ce', record: true } }));
  const broker = await BrokerHost.start({ brokers: { redis: { main: { url: REDIS_URL, consumer: 'me', lists: [{ key: list, type: 'list.test', batchSize: 7 }] } } } });
  try {
    const keys = [...Array.from({ length: 20 }, (_, i) => i), 'left-0', 'left-1', 'left-2', 'ce'];
    await waitFor('every item handled', async () => (await Promise.all(keys.map((k) => broker.seen(k)))).every((n) => n === 1));
    await waitFor('both lists empty', async () => (await redis.llen(list)) === 0 && (await redis.llen(processing)) === 0 && broker.pending === 0);
    assert.equal(broker.stats('redis:main').recovered, 3);
    assert.equal((await broker.recorded('ce'))?.type, 'list.cloud');
    const journal = await broker.host.store.readJournal({ from: 0, type: 'list.test', limit: 100 });
    assert.equal(journal.length, 23);
    assert.ok(journal.every((e) => e.event.source === `redis/list:${list}`));
  } finally {
    await broker.stop();
    await redis.del(list, processing);
    redis.disconnect();
  }
});

test('pub/sub channels and patterns become events, at most once and counted', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const channel = uniqueName('chan');
  const prefix = uniqueName('pat');
  const broker = await BrokerHost.start({
    brokers: { redis: { main: { url: REDIS_URL, pubsub: [{ channel, type: 'pubsub.direct' }, { pattern: `${prefix}:*` }] } } },
  });
  try {
    await redisCli('PUBLISH', channel, JSON.stringify({ n: 'direct', record: true }));
    await redisCli('PUBLISH', `${prefix}:orders.created`, JSON.stringify({ n: 'pattern', record: true }));
    await redisCli('PUBLISH', `${prefix}:text`, 'plain words');
    await waitFor('both handled', async () => (await broker.seen('direct')) === 1 && (await broker.seen('pattern')) === 1);
    assert.equal((await broker.recorded('direct'))?.type, 'pubsub.direct');
    const pattern = await broker.recorded('pattern');
    assert.equal(pattern?.type, `${prefix}:orders.created`, 'the channel name is the type when none is configured');
    assert.equal(pattern?.source, `redis/channel:${prefix}:orders.created`);
    await waitFor('the text message journaled', async () => (await broker.host.store.readJournal({ from: 0, type: `${prefix}:text`, limit: 10 })).length === 1);
    const stats = broker.stats('redis:main');
    assert.equal(stats.received, 3);
    assert.equal(stats.dropped, 0);
    const metrics = await broker.host.metrics.text();
    assert.match(metrics, /plexus_ingress_events_total\{source="redis:main",outcome="received",reason=""\} 3/);
    assert.match(metrics, /plexus_ingress_events_total\{source="redis:main",outcome="accepted",reason=""\} 3/);
    assert.match(metrics, /plexus_broker_connected\{broker="redis:main"\} 1/);
    assert.match(metrics, /plexus_broker_circuit_state\{broker="redis:main"\} 0/);
  } finally {
    await broker.stop();
  }
});
