// An egress connection can go silent right after its transport is up, while
// its session is still being set up: RabbitMQ past the AMQP handshake (its
// confirm channel, the check of the targets' exchanges), Redis past the TCP
// connect (CLIENT SETNAME, the ready check). A flow a firewall dropped, a
// broker that froze, just as the host (re)connected. The clients' connect
// timeouts are over by then, and nothing else ever ends such a connection
// (RabbitMQ with heartbeatSec: 0; Redis has no heartbeat, and ioredis'
// reconnection is off): unbounded, the open waited for ever, and with it the
// host's start (which waits for the first attempt), every later publish (the
// connection never came back) and the host's stop (which waits for the
// connection's loop). Bounded, the silent connection is given up and a new
// one opened, through which the events are published.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumeMessage } from 'amqplib';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor, type BrokerHostOptions } from './broker-fixture.ts';
import { emitterState, trigger } from './egress-fixture.ts';
import { rawRedis } from './redis-helpers.ts';
import { amqpChannelOpen, fromTheStart, SilentWhileOpeningProxy, type SilenceStart } from './silent-while-opening-proxy.ts';

const COUNT = 5;
const RETRY = { initialDelayMs: 50, maxDelayMs: 200 };
const RECONNECT = { initialDelayMs: 20, maxDelayMs: 200 };

/** Where one broker's events go, how many arrived there, and its clean-up. */
interface Sink {
  published(): Promise<number>;
  close(): Promise<void>;
}

interface Broker {
  service: 'rabbitmq' | 'redis';
  port: number;
  silenceAt: SilenceStart;
  connection: string;
  options(port: number, name: string): BrokerHostOptions;
  sink(name: string): Promise<Sink>;
}

const BROKERS: Broker[] = [
  {
    service: 'rabbitmq',
    port: 5672,
    silenceAt: amqpChannelOpen,
    connection: 'egress:amqp:out',
    options: (port, exchange) => ({
      brokers: { amqp: { out: { url: `amqp://127.0.0.1:${port}`, username: 'guest', password: 'guest', heartbeatSec: 0, reconnect: RECONNECT } } },
      egress: [{ name: 'opening', match: 'orders.#', broker: 'out', exchange, confirmTimeoutMs: '1s', retry: RETRY }],
      plugins: emitterState(['orders.#']),
    }),
    async sink(exchange) {
      const queue = `${exchange}-sink`;
      const raw = await RawAmqp.open();
      const ids = new Set<string>();
      await raw.sink(exchange, queue, '#', (m: ConsumeMessage) => ids.add(String(m.properties.messageId)));
      return { published: async () => ids.size, close: () => raw.cleanup([queue], [exchange]) };
    },
  },
  {
    service: 'redis',
    port: 6379,
    silenceAt: fromTheStart,
    connection: 'egress:redis:out',
    options: (port, stream) => ({
      brokers: { redis: { out: { url: `redis://127.0.0.1:${port}`, reconnect: RECONNECT } } },
      egress: [{ name: 'opening', match: 'orders.#', broker: 'out', stream, confirmTimeoutMs: '1s', retry: RETRY }],
      plugins: emitterState(['orders.#']),
    }),
    async sink(stream) {
      const redis = await rawRedis();
      return {
        published: async () => Number(await redis.xlen(stream)),
        async close() {
          await redis.del(stream);
          redis.disconnect();
        },
      };
    },
  },
];

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms).unref())]);

for (const broker of BROKERS) {
  test(`a host whose ${broker.service} egress connection goes silent while it opens starts, and publishes through a new connection`, { timeout: 60_000 }, async (t) => {
    if (!(await requireService(t, broker.service))) return;
    const name = uniqueName('egress-silent-open');
    const sink = await broker.sink(name);
    const proxy = await SilentWhileOpeningProxy.listen(broker.port, broker.silenceAt);
    proxy.silenceNext(1);
    const starting = BrokerHost.start(broker.options(proxy.port, name));
    try {
      const started = await within(starting, 10_000);
      assert.notEqual(started, 'timed out', 'the host started although its first egress connection went silent while it opened');
      assert.equal(proxy.silenced, 1);
      const host = (started as BrokerHost).host;
      await host.accept(Array.from({ length: COUNT }, (_, i) => trigger('orders.created', i)));
      await waitFor('published through a new connection', async () => (await sink.published()) >= COUNT && (await host.store.pending()).length === 0, 10_000);
      assert.equal(await sink.published(), COUNT);
      assert.ok(proxy.accepted >= 2, 'through a second connection');
      assert.equal(await host.store.countDlq({}), 0);
    } finally {
      // Cutting the silent connection lets a start that hung go on, so the host can be stopped.
      const hung = (await within(starting, 0)) === 'timed out';
      if (hung) await proxy.close();
      await (await starting).stop();
      if (!hung) await proxy.close();
      await sink.close();
    }
  });

  test(`a host whose ${broker.service} egress connection, lost, goes silent while it reopens still stops within its bounds`, { timeout: 60_000 }, async (t) => {
    if (!(await requireService(t, broker.service))) return;
    const name = uniqueName('egress-silent-reopen');
    const sink = await broker.sink(name);
    const proxy = await SilentWhileOpeningProxy.listen(broker.port, broker.silenceAt);
    const host = await BrokerHost.start(broker.options(proxy.port, name));
    let stopping: Promise<void> | undefined;
    try {
      const connection = host.host.egress?.connection(broker.connection);
      await waitFor('the egress connection up', () => connection?.state === 'connected');
      proxy.silenceNext(1);
      proxy.cut();
      await waitFor('the reconnection gone silent while it opens', () => proxy.silenced === 1, 10_000);
      stopping = host.stop();
      assert.notEqual(await within(stopping, 15_000), 'timed out', 'the stop returned');
    } finally {
      await proxy.close();
      await (stopping ?? host.stop());
      await sink.close();
    }
  });
}
