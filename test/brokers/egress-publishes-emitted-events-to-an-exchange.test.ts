// ctx.emit → RabbitMQ: events a plugin emits whose type matches an egress
// target are published to its exchange through a confirm channel, in the
// CloudEvents AMQP binding (structured mode), and a plain amqplib consumer
// on a bound queue receives them; our own ingress decodes each message back
// to the very same event. Events accepted from ingress are not forwarded:
// egress is for what plugins emit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumeMessage } from 'amqplib';
import { decodeAmqpMessage } from '../../src/ingress/amqp/amqp-message.ts';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState, sample, trigger } from './egress-fixture.ts';

const COUNT = 20;

test('emitted events reach a bound queue as structured CloudEvents, confirmed; ingress events are not forwarded', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const exchange = uniqueName('egress');
  const queue = uniqueName('egress-sink');
  const raw = await RawAmqp.open();
  const received: ConsumeMessage[] = [];
  await raw.sink(exchange, queue, 'orders.#', (m) => received.push(m));
  // An egress-only connection: no queues, it consumes nothing.
  const broker = await BrokerHost.start({
    brokers: { amqp: { out: { url: AMQP_URL, username: 'guest', password: 'guest' } } },
    egress: [{ match: ['orders.*'], broker: 'out', exchange }],
    plugins: emitterState(['orders.#', 'audit.#']),
  });
  try {
    assert.equal(broker.ingresses.length, 0, 'an egress-only connection is no ingress');
    const events = Array.from({ length: COUNT }, (_, i) => trigger('orders.created', i));
    // Not emitted by a plugin: stays in the host even though its type matches.
    await broker.host.accept([{ ...trigger('orders.created', 'from-ingress'), type: 'orders.created' }]);
    // Emitted, but matching no target.
    await broker.host.accept([trigger('audit.logged', 'audit')]);
    await broker.host.accept(events);
    await waitFor('every emitted event received', () => received.length >= COUNT, 20_000);
    await broker.host.engine.idle();
    await new Promise((r) => setTimeout(r, 300));

    assert.equal(received.length, COUNT, 'one message per emitted event, nothing else');
    const seen = new Set<number>();
    for (const message of received) {
      assert.equal(message.properties.contentType, 'application/cloudevents+json');
      assert.equal(message.properties.deliveryMode, 2, 'persistent');
      assert.equal(message.fields.routingKey, 'orders.created', 'the event type is the routing key');
      const body = JSON.parse(message.content.toString()) as Record<string, unknown>;
      assert.equal(body.specversion, '1.0');
      assert.equal(body.type, 'orders.created');
      assert.equal(body.source, 'plugin/@fixtures/broker-emitter');
      assert.equal(message.properties.messageId, body.id);
      assert.match(String(body.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      seen.add((body.data as { n: number }).n);
      const decoded = decodeAmqpMessage(message, { source: `amqp/${queue}`, now: Date.now() });
      assert.ok(decoded.ok && decoded.stableId);
      assert.deepEqual(decoded.event, { ...body, priority: 4 }, 'our ingress reads back the same event (with the default priority filled in)');
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i));
    const target = `amqp:out/${exchange}`;
    assert.equal(await sample(broker.host, 'plexus_egress_published_total', { target }), COUNT);
    assert.equal(await sample(broker.host, 'plexus_egress_connected', { broker: 'egress:amqp:out' }), 1);
    assert.equal(await broker.host.store.countDlq({}), 0);
  } finally {
    await broker.stop();
    await raw.cleanup([queue], [exchange]);
  }
});
