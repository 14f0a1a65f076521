// An ingress connection can go silent right after its transport is up, while
// its session is still being set up: RabbitMQ past the AMQP handshake (its
// channel, the topology, prefetch, the consumers), Redis past the TCP connect
// (CLIENT SETNAME, the ready check). The clients' connect timeouts are over
// by then, and nothing else ever ends such a connection (RabbitMQ with
// heartbeatSec: 0; Redis has no heartbeat, and ioredis' reconnection is off):
// unbounded, the open waited for ever, and with it the host's start (which
// waits for the first attempt), consumption (the connection never came back)
// and the host's stop (which waits for the connection's loop). Bounded (the
// source's connectTimeoutMs, 1 s here), the silent connection is given up and
// a new one opened, through which the messages are consumed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor, type BrokerHostOptions } from './broker-fixture.ts';
import { rawRedis } from './redis-helpers.ts';
import { amqpChannelOpen, fromTheStart, SilentWhileOpeningProxy, type SilenceStart } from './silent-while-opening-proxy.ts';

const RECONNECT = { initialDelayMs: 20, maxDelayMs: 200 };
/** The set-up's bound (connectTimeoutMs, 1 s) and much room: a start or stop that takes longer hung. */
const WITHIN_MS = 10_000;

/** Where one broker's messages come from, and its clean-up. */
interface Source {
  send(n: string): Promise<void>;
  close(): Promise<void>;
}

interface Broker {
  service: 'rabbitmq' | 'redis';
  port: number;
  silenceAt: SilenceStart;
  ingress: string;
  options(port: number, name: string): BrokerHostOptions;
  source(name: string): Promise<Source>;
}

const BROKERS: Broker[] = [
  {
    service: 'rabbitmq',
    port: 5672,
    silenceAt: amqpChannelOpen,
    ingress: 'amqp:main',
    options: (port, queue) => ({
      brokers: { amqp: { main: { url: `amqp://127.0.0.1:${port}`, username: 'guest', password: 'guest', heartbeatSec: 0, reconnect: RECONNECT, connectTimeoutMs: '1s', queues: [{ name: queue, type: 'silent.test' }] } } },
    }),
    async source(queue) {
      const raw = await RawAmqp.open();
      return {
        send: async (n) => raw.publish('', queue, JSON.stringify({ n })),
        close: () => raw.cleanup([queue]),
      };
    },
  },
  {
    service: 'redis',
    port: 6379,
    silenceAt: fromTheStart,
    ingress: 'redis:main',
    options: (port, list) => ({
      brokers: { redis: { main: { url: `redis://127.0.0.1:${port}`, consumer: 'me', reconnect: RECONNECT, connectTimeoutMs: '1s', lists: [{ key: list, type: 'silent.test' }] } } },
    }),
    async source(list) {
      const redis = await rawRedis();
      return {
        send: async (n) => void (await redis.rpush(list, JSON.stringify({ n }))),
        async close() {
          await redis.del(list, `${list}:processing:me`);
          redis.disconnect();
        },
      };
    },
  },
];

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms).unref())]);

for (const broker of BROKERS) {
  test(`a host whose ${broker.service} ingress connection goes silent while it opens starts, and consumes through a new connection`, { timeout: 90_000 }, async (t) => {
    if (!(await requireService(t, broker.service))) return;
    const name = uniqueName('ingress-silent-open');
    const proxy = await SilentWhileOpeningProxy.listen(broker.port, broker.silenceAt);
    proxy.silenceNext(1);
    const starting = BrokerHost.start(broker.options(proxy.port, name));
    let source: Source | undefined;
    try {
      const started = await within(starting, WITHIN_MS);
      assert.notEqual(started, 'timed out', 'the host started although its first ingress connection went silent while it opened');
      assert.equal(proxy.silenced, 1);
      const host = started as BrokerHost;
      await waitFor('a new ingress connection up', () => host.broker(broker.ingress).connection.state === 'connected', WITHIN_MS);
      source = await broker.source(name);
      await source.send('after');
      await waitFor('consumed through the new connection', async () => (await host.seen('after')) === 1 && host.pending === 0, 10_000);
      assert.ok(proxy.accepted >= 2, 'through a second connection');
    } finally {
      // Cutting the silent connection lets a start that hung go on, so the host can be stopped.
      const hung = (await within(starting, 0)) === 'timed out';
      if (hung) await proxy.close();
      await (await starting).stop();
      if (!hung) await proxy.close();
      await (source ?? (await broker.source(name))).close();
    }
  });

  test(`a host whose ${broker.service} ingress connection, lost, goes silent while it reopens still stops within its bounds`, { timeout: 90_000 }, async (t) => {
    if (!(await requireService(t, broker.service))) return;
    const name = uniqueName('ingress-silent-reopen');
    const proxy = await SilentWhileOpeningProxy.listen(broker.port, broker.silenceAt);
    const host = await BrokerHost.start(broker.options(proxy.port, name));
    let stopping: Promise<void> | undefined;
    try {
      const connection = host.broker(broker.ingress).connection;
      await waitFor('the ingress connection up', () => connection.state === 'connected');
      proxy.silenceNext(1);
      proxy.cut();
      await waitFor('the reconnection gone silent while it opens', () => proxy.silenced === 1, 10_000);
      stopping = host.stop();
      assert.notEqual(await within(stopping, WITHIN_MS), 'timed out', 'the stop returned');
    } finally {
      await proxy.close();
      await (stopping ?? host.stop());
      await (await broker.source(name)).close();
    }
  });
}
