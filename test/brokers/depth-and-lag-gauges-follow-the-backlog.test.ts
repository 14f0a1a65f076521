// Queue depth and consumer lag per source, as the broker reports them, on
// the host's /metrics: a backlog is published first, then a host with a
// slow plugin (one message in flight per source) works through it, and the
// gauges follow it down: RabbitMQ messages ready (checkQueue), the Redis
// stream group's pending and lag (XINFO GROUPS), the Redis list's length.
// A source whose broker is away has no depth sample rather than a stale one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { sample } from './egress-fixture.ts';
import { rawRedis, REDIS_URL } from './redis-helpers.ts';

const COUNT = 15;
const SPIN_MS = 80;

test('depth and lag gauges per source rise with a backlog and fall to zero as it is worked off', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq')) || !(await requireService(t, 'redis'))) return;
  const queue = uniqueName('depth');
  const stream = uniqueName('depth');
  const list = uniqueName('depth');
  const raw = await RawAmqp.open();
  const redis = await rawRedis();
  let broker: BrokerHost | undefined;
  try {
    await raw.channel.assertQueue(queue, { durable: true });
    for (let i = 0; i < COUNT; i++) {
      raw.publish('', queue, JSON.stringify({ n: `a-${i}`, spinMs: SPIN_MS }));
      await redis.xadd(stream, '*', 'type', 'depth.stream', 'data', JSON.stringify({ n: `s-${i}`, spinMs: SPIN_MS }));
      await redis.rpush(list, JSON.stringify({ n: `l-${i}`, spinMs: SPIN_MS }));
    }
    await waitFor('the backlog in RabbitMQ', async () => (await raw.settle(queue)) === COUNT, 10_000);
    const host = await BrokerHost.start({
      brokers: {
        amqp: { main: { url: AMQP_URL, username: 'guest', password: 'guest', prefetch: 1, queues: [{ name: queue, type: 'depth.amqp' }] } },
        redis: { main: { url: REDIS_URL, streams: [{ key: stream, group: 'g', batchSize: 1, maxInFlight: 1, blockMs: 100 }], lists: [{ key: list, type: 'depth.list', batchSize: 1, maxInFlight: 1 }] } },
      },
      depthPollMs: 100,
    });
    broker = host;
    const gauge = (name: string, labels: Record<string, string>) => sample(host.host, name, labels);
    const read = async () => ({
      queue: await gauge('plexus_broker_queue_depth', { broker: 'amqp:main', source: `amqp/${queue}` }),
      pending: await gauge('plexus_broker_stream_pending', { broker: 'redis:main', source: `redis/stream:${stream}` }),
      lag: await gauge('plexus_broker_stream_lag', { broker: 'redis:main', source: `redis/stream:${stream}` }),
      list: await gauge('plexus_broker_list_length', { broker: 'redis:main', source: `redis/list:${list}` }),
    });
    const highest = { queue: 0, pending: 0, lag: 0, list: 0 };
    let last: Awaited<ReturnType<typeof read>> | undefined;
    const lastOfEach = async () => (await host.seen(`a-${COUNT - 1}`)) + (await host.seen(`s-${COUNT - 1}`)) + (await host.seen(`l-${COUNT - 1}`));
    await waitFor('the backlog worked off and every gauge back at zero', async () => {
      const now = await read();
      last = now;
      for (const key of Object.keys(highest) as (keyof typeof highest)[]) highest[key] = Math.max(highest[key], now[key] ?? 0);
      return now.queue === 0 && now.pending === 0 && now.lag === 0 && now.list === 0 && (await lastOfEach()) === 3;
    }, 30_000).catch((err: Error) => {
      throw new Error(`${err.message} (last readings ${JSON.stringify(last)})`);
    });
    t.diagnostic(`highest readings during the backlog: ${JSON.stringify(highest)}`);
    assert.ok(highest.queue >= COUNT / 2, `RabbitMQ messages ready were seen high (${highest.queue})`);
    assert.ok(highest.lag >= COUNT / 2, `stream lag was seen high (${highest.lag})`);
    assert.ok(highest.pending >= 1, 'an entry in flight showed as pending');
    assert.ok(highest.list >= COUNT / 2, `list length was seen high (${highest.list})`);
    await host.stop();
    broker = undefined;
    assert.equal(await gauge('plexus_broker_queue_depth', { broker: 'amqp:main', source: `amqp/${queue}` }), undefined, 'a stopped host exports no depth');
  } finally {
    await broker?.stop();
    await raw.cleanup([queue]);
    await redis.del(stream, list);
    redis.disconnect();
  }
});
