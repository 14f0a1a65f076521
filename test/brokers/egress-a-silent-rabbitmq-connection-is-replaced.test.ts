// A RabbitMQ egress connection can go silent with its socket still open: a
// firewall drops the flow, a proxy stops forwarding. With heartbeats off
// (heartbeatSec: 0) amqplib never notices, no 'close' comes, and every
// publish round on it would wait out confirmTimeoutMs and fail, forever,
// while a new connection would work at once. A round that got no confirm at
// all ends the session: the connection is replaced and the events are
// published through the new one, none lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumeMessage } from 'amqplib';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState, sample, trigger } from './egress-fixture.ts';
import { SilencingTcpProxy } from './silencing-tcp-proxy.ts';

const BEFORE = 5;
const AFTER = 5;

test('a RabbitMQ egress connection that confirms nothing is replaced, and the events are published through the new one', { timeout: 30_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const exchange = uniqueName('egress-silent');
  const queue = uniqueName('egress-silent-sink');
  const raw = await RawAmqp.open();
  const ids = new Set<string>();
  await raw.sink(exchange, queue, '#', (m: ConsumeMessage) => ids.add(String(m.properties.messageId)));
  const proxy = await SilencingTcpProxy.listen(5672);
  const broker = await BrokerHost.start({
    brokers: { amqp: { out: { url: `amqp://127.0.0.1:${proxy.port}`, username: 'guest', password: 'guest', heartbeatSec: 0, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } } },
    egress: [{ name: 'silent', match: 'orders.#', broker: 'out', exchange, confirmTimeoutMs: '1s', retry: { initialDelayMs: 50, maxDelayMs: 200 } }],
    plugins: emitterState(['orders.#']),
  });
  try {
    const connection = broker.host.egress?.connection('egress:amqp:out');
    await waitFor('the egress connection up', () => connection?.state === 'connected');
    await broker.host.accept(Array.from({ length: BEFORE }, (_, i) => trigger('orders.created', i)));
    await waitFor('published before the silence', async () => ids.size >= BEFORE && (await broker.host.store.pending()).length === 0, 5_000);
    assert.equal(proxy.accepted, 1);

    proxy.silence();
    await broker.host.accept(Array.from({ length: AFTER }, (_, i) => trigger('orders.created', BEFORE + i)));
    // The first round waits out the confirm timeout (1 s); then the connection is replaced.
    await waitFor('published through a new connection', async () => ids.size >= BEFORE + AFTER && (await broker.host.store.pending()).length === 0, 8_000);
    assert.equal(ids.size, BEFORE + AFTER, 'every event arrived');
    assert.ok((connection?.reconnects ?? 0) >= 1, 'the silent session was given up');
    assert.ok(proxy.accepted >= 2, 'through a second connection');
    assert.equal(await sample(broker.host, 'plexus_egress_published_total', { target: 'silent' }), BEFORE + AFTER);
    assert.equal(await broker.host.store.countDlq({}), 0);
  } finally {
    await broker.stop();
    await proxy.close();
    await raw.cleanup([queue], [exchange]);
  }
});

// A target whose exchange was missing checks it again at each round, on a
// channel of its own: on a silent connection that check never gets an
// answer either, and without a bound it would hold the round (and the lane)
// forever.
test('a check of a missing exchange that gets no answer replaces the silent connection too', { timeout: 30_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const exchange = uniqueName('egress-silent-missing');
  const queue = uniqueName('egress-silent-missing-sink');
  const raw = await RawAmqp.open();
  const ids = new Set<string>();
  const proxy = await SilencingTcpProxy.listen(5672);
  const broker = await BrokerHost.start({
    brokers: { amqp: { out: { url: `amqp://127.0.0.1:${proxy.port}`, username: 'guest', password: 'guest', heartbeatSec: 0, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } } },
    egress: [{ name: 'silentmissing', match: 'orders.#', broker: 'out', exchange, confirmTimeoutMs: '1s', retry: { initialDelayMs: 50, maxDelayMs: 200 } }],
    plugins: emitterState(['orders.#']),
  });
  try {
    const connection = broker.host.egress?.connection('egress:amqp:out');
    await waitFor('the egress connection up', () => connection?.state === 'connected');
    proxy.silence();
    await broker.host.accept(Array.from({ length: AFTER }, (_, i) => trigger('orders.created', i)));
    // No answer to the check within the confirm timeout (1 s): the session ends, and after the reconnect delay a new one opens.
    await waitFor('the silent session given up for a new connection', () => (connection?.reconnects ?? 0) >= 1 && connection?.state === 'connected' && proxy.accepted >= 2, 5_000);

    await raw.sink(exchange, queue, '#', (m: ConsumeMessage) => ids.add(String(m.properties.messageId)));
    await waitFor('published once the exchange exists', async () => ids.size >= AFTER && (await broker.host.store.pending()).length === 0, 8_000);
    assert.equal(ids.size, AFTER);
    assert.equal(await broker.host.store.countDlq({}), 0);
  } finally {
    await broker.stop();
    await proxy.close();
    await raw.cleanup([queue], [exchange]);
  }
});
