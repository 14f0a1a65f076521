// Egress loses nothing while its broker is away. "The broker" is a TCP proxy
// in front of the shared one (tcp-proxy.ts), so it can be absent here
// without touching the servers other tests use:
// 1. absent from the start: emitted events wait durably (pending deliveries
//    of the egress lane), retried with backoff; once the proxy listens they
//    are published, without a host restart;
// 2. absent again, and the host stops meanwhile: a new host on the same
//    state dir publishes them once the broker is back.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import type { EgressTargetDocument } from '../../src/egress/egress-config-schema.ts';
import type { BrokersDocument } from '../../src/ingress/broker-config-schema.ts';
import { closedPort } from '../cli/cli-fixture.ts';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState, trigger } from './egress-fixture.ts';
import { keys, tally } from './loss-tally.ts';
import { rawRedis } from './redis-helpers.ts';
import { TcpProxy } from './tcp-proxy.ts';

const PHASE = 15;
const RECONNECT = { initialDelayMs: 20, maxDelayMs: 200 };
const BREAKER = { failureThreshold: 3, coolDownMs: 500 };
const RETRY = { initialDelayMs: 50, maxDelayMs: 300 };

/** The broker side of one kind: where the target publishes, and what arrived there so far (by data.n). */
interface Sink {
  brokers(port: number): BrokersDocument;
  target: EgressTargetDocument;
  connection: string;
  upstreamPort: number;
  /** How many messages arrived for each data.n. */
  arrived(): Promise<Map<string, number>>;
  cleanup(): Promise<void>;
}

async function amqpSink(): Promise<Sink> {
  const exchange = uniqueName('egress-down');
  const queue = uniqueName('egress-down-sink');
  const raw = await RawAmqp.open();
  const arrived = new Map<string, number>();
  await raw.sink(exchange, queue, '#', (m) => {
    const n = String((JSON.parse(m.content.toString()) as { data: { n: number } }).data.n);
    arrived.set(n, (arrived.get(n) ?? 0) + 1);
  });
  return {
    brokers: (port) => ({ amqp: { out: { url: `amqp://127.0.0.1:${port}`, username: 'guest', password: 'guest', reconnect: RECONNECT, breaker: BREAKER } } }),
    target: { match: 'orders.#', broker: 'out', exchange, retry: RETRY },
    connection: 'egress:amqp:out',
    upstreamPort: 5672,
    arrived: async () => arrived,
    cleanup: () => raw.cleanup([queue], [exchange]),
  };
}

async function redisSink(): Promise<Sink> {
  const stream = uniqueName('egress-down');
  const redis = await rawRedis();
  return {
    brokers: (port) => ({ redis: { out: { url: `redis://127.0.0.1:${port}`, reconnect: RECONNECT, breaker: BREAKER } } }),
    target: { match: 'orders.#', broker: 'out', stream, retry: RETRY },
    connection: 'egress:redis:out',
    upstreamPort: 6379,
    arrived: async () => {
      const arrived = new Map<string, number>();
      const entries = (await redis.call('XRANGE', [stream, '-', '+'])) as [string, string[]][];
      for (const [, fields] of entries) {
        const n = String((JSON.parse(fields[1] as string) as { data: { n: number } }).data.n);
        arrived.set(n, (arrived.get(n) ?? 0) + 1);
      }
      return arrived;
    },
    cleanup: async () => {
      await redis.del(stream);
      redis.disconnect();
    },
  };
}

async function survives(t: TestContext, sink: Sink): Promise<void> {
  const port = await closedPort();
  const options = { brokers: sink.brokers(port), egress: [sink.target], plugins: emitterState(['orders.#']) };
  let first: BrokerHost | undefined = await BrokerHost.start(options);
  const stateDir = first.stateDir;
  let second: BrokerHost | undefined;
  let proxy: TcpProxy | undefined;
  const received = async (n: number | string) => (await sink.arrived()).get(String(n)) ?? 0;
  try {
    // 1. Never connected: the events wait in the store, nothing is dead-lettered.
    await first.host.accept(keys(PHASE).map((n) => trigger('orders.created', n)));
    await new Promise((r) => setTimeout(r, 1500));
    const connection = first.host.egress?.connection(sink.connection);
    assert.notEqual(connection?.state, 'connected');
    const waiting = (await first.host.store.pending()).filter((d) => d.plugin.startsWith('egress:'));
    assert.equal(waiting.length, PHASE, 'every emitted event is a durable pending delivery of the egress lane');
    assert.ok(waiting.every((d) => d.attempt >= 1), 'and each was tried and scheduled for retry');
    assert.equal(await first.host.store.countDlq({}), 0);
    proxy = await TcpProxy.listen(port, sink.upstreamPort);
    await waitFor('published once the broker is there', async () => (await received(PHASE - 1)) >= 1 && (await first?.host.store.pending())?.length === 0, 30_000);

    // 2. Gone again, and the host stops with the events unpublished.
    await proxy.close();
    proxy = undefined;
    await waitFor('the loss noticed', () => connection?.state !== 'connected', 10_000);
    await first.host.accept(keys(PHASE, 'second-').map((n) => trigger('orders.created', n)));
    await waitFor('the second phase emitted', async () => (await first?.host.store.pending())?.length === PHASE, 10_000);
    await first.stop(true);
    first = undefined;
    proxy = await TcpProxy.listen(port, sink.upstreamPort);
    second = await BrokerHost.start({ ...options, stateDir });
    await waitFor('published by the restarted host', async () => (await received(`second-${PHASE - 1}`)) >= 1 && (await second?.host.store.pending())?.length === 0, 30_000);

    const arrived = await sink.arrived();
    const { lost, duplicates } = await tally([...keys(PHASE), ...keys(PHASE, 'second-')], [async (key) => arrived.get(String(key)) ?? 0]);
    t.diagnostic(`${sink.connection}: ${2 * PHASE} emitted while the broker was away, ${lost} lost, ${duplicates} published twice`);
    assert.equal(lost, 0);
    assert.equal(await second.host.store.countDlq({}), 0);
  } finally {
    await first?.stop(true);
    await second?.stop();
    await proxy?.close();
    await rm(stateDir, { recursive: true, force: true });
    await sink.cleanup();
  }
}

test('RabbitMQ egress: events emitted while the broker is away are published when it is back', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  await survives(t, await amqpSink());
});

test('Redis egress: events emitted while the broker is away are published when it is back', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  await survives(t, await redisSink());
});
