// RabbitMQ confirms a message that no queue receives with a plain ack. An
// egress target whose exchange has no binding for the event's routing key
// (the consumer's queue not declared yet, a typo in routingKey) must not
// count such an event as published: it is published `mandatory`, the broker
// returns it, the publish fails and is retried, and once a queue is bound
// every event arrives, none lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumeMessage } from 'amqplib';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState, sample, trigger } from './egress-fixture.ts';

const COUNT = 3;

test('an event no queue receives is retried, not counted as published, and arrives once a queue is bound', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const exchange = uniqueName('egress-unroutable');
  const queue = uniqueName('egress-late-sink');
  const raw = await RawAmqp.open();
  await raw.channel.assertExchange(exchange, 'topic', { durable: false });
  const broker = await BrokerHost.start({
    brokers: { amqp: { out: { url: AMQP_URL, username: 'guest', password: 'guest' } } },
    egress: [{ name: 'nobound', match: ['orders.*'], broker: 'out', exchange, retry: { initialDelayMs: 50, maxDelayMs: 200 } }],
    plugins: emitterState(['orders.#']),
  });
  try {
    await broker.host.accept(Array.from({ length: COUNT }, (_, i) => trigger('orders.created', i)));
    await waitFor('returned publishes failed and retried', async () => ((await sample(broker.host, 'plexus_plugin_failures_total', { plugin: 'egress:nobound' })) ?? 0) >= 2 * COUNT, 20_000);
    assert.equal((await sample(broker.host, 'plexus_egress_published_total', { target: 'nobound' })) ?? 0, 0, 'nothing counts as published while no queue receives it');
    assert.equal(await broker.host.store.countDlq({}), 0);

    const received: ConsumeMessage[] = [];
    await raw.sink(exchange, queue, 'orders.#', (m) => received.push(m));
    await waitFor('every event received once a queue is bound', () => received.length >= COUNT, 20_000);
    await broker.host.engine.idle();
    assert.deepEqual(received.map((m) => (JSON.parse(m.content.toString()) as { data: { n: number } }).data.n).sort(), [0, 1, 2]);
    assert.equal(await sample(broker.host, 'plexus_egress_published_total', { target: 'nobound' }), COUNT);
  } finally {
    await broker.stop();
    await raw.cleanup([queue], [exchange]);
  }
});
