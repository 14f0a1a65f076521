// Under a resource alarm RabbitMQ blocks a publishing connection
// (connection.blocked) and stops reading it until the alarm clears. Egress
// must not keep writing into it: each retry would add another copy of its
// messages to the socket buffer (the host's memory, for as long as the alarm
// lasts), and every copy would be published, a duplicate, once it clears.
// While blocked, a round fails at once (counted, logged with the reason) and
// writes nothing; once unblocked, each event is published exactly once.
//
// The shared RabbitMQ cannot be put into alarm here: a proxy in front of it
// sends connection.blocked / unblocked and holds back what the client
// writes in between, as the broker does (egress-blocking-amqp-proxy.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumeMessage } from 'amqplib';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { BlockingAmqpProxy } from './egress-blocking-amqp-proxy.ts';
import { emitterState, sample, trigger } from './egress-fixture.ts';

const COUNT = 20;

test('while RabbitMQ blocks the egress connection nothing is written to it; after the alarm each event is published once', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const exchange = uniqueName('egress-blocked');
  const queue = uniqueName('egress-blocked-sink');
  const raw = await RawAmqp.open();
  const received: ConsumeMessage[] = [];
  await raw.sink(exchange, queue, '#', (m) => received.push(m));
  const proxy = await BlockingAmqpProxy.listen(5672);
  const broker = await BrokerHost.start({
    brokers: { amqp: { out: { url: `amqp://127.0.0.1:${proxy.port}`, username: 'guest', password: 'guest' } } },
    egress: [{ name: 'alarmed', match: 'orders.#', broker: 'out', exchange, retry: { initialDelayMs: 50, maxDelayMs: 200 } }],
    plugins: emitterState(['orders.#']),
  });
  try {
    await waitFor('the egress connection up', () => broker.host.egress?.connection('egress:amqp:out')?.state === 'connected');
    proxy.block('low on memory');
    // The frame is on its way to the client: give it a moment to arrive before anything is emitted.
    await new Promise((r) => setTimeout(r, 300));
    await broker.host.accept(Array.from({ length: COUNT }, (_, i) => trigger('orders.created', i)));

    // Not the confirm timeout (30 s): the rounds fail at once and are retried with backoff.
    await waitFor('rounds failed while blocked', async () => ((await sample(broker.host, 'plexus_plugin_failures_total', { plugin: 'egress:alarmed' })) ?? 0) >= 2 * COUNT, 10_000);
    assert.equal(proxy.publishes, 0, 'nothing written into the blocked connection');
    assert.equal((await sample(broker.host, 'plexus_egress_published_total', { target: 'alarmed' })) ?? 0, 0);
    assert.ok(broker.logger.lines.some((l) => l.level === 'warn' && JSON.stringify(l.fields).includes('RabbitMQ blocked the connection (low on memory)')), 'the warning says why');
    assert.equal(await broker.host.store.countDlq({}), 0);

    proxy.unblock();
    await waitFor('every event published after the alarm', async () => received.length >= COUNT && (await broker.host.store.pending()).length === 0, 30_000);
    await broker.host.engine.idle();
    await new Promise((r) => setTimeout(r, 300));
    const ns = received.map((m) => (JSON.parse(m.content.toString()) as { data: { n: number } }).data.n).sort((a, b) => a - b);
    assert.deepEqual(ns, Array.from({ length: COUNT }, (_, i) => i), 'each event once: no copies piled up while blocked');
    assert.equal(await sample(broker.host, 'plexus_egress_published_total', { target: 'alarmed' }), COUNT);
  } finally {
    await broker.stop();
    await proxy.close();
    await raw.cleanup([queue], [exchange]);
  }
});
