// A graceful stop acks what settled. Acks wait in the channel's window for
// the end of the loop turn; the last outcomes of a drain settle just before
// the connection closes, so the stop must send those acks first, or RabbitMQ
// requeues messages that already ran and a restarted host runs them again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

const COUNT = 40;

test('stopping with messages in flight acks every one that settled; none goes back to the queue', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('stop-acks');
  const raw = await RawAmqp.open();
  await raw.channel.assertQueue(queue, { durable: true });
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, prefetch: 50, queues: [{ name: queue, type: 'stop.acks' }] } } } });
  try {
    // Slow enough that all of them are still in flight when the stop begins.
    for (let i = 0; i < COUNT; i++) raw.publish('', queue, JSON.stringify({ n: i, spinMs: 20 }));
    const ingress = broker.broker('amqp:main');
    await waitFor('every message taken', () => ingress.stats.received >= COUNT, 10_000);
    await ingress.stop();
    assert.equal(ingress.stats.acked, COUNT, 'the drain settled all of them');
    assert.equal(await raw.settle(queue), 0, 'RabbitMQ holds none of them for redelivery');
    for (let i = 0; i < COUNT; i++) assert.equal(await broker.seen(i), 1, `message ${i} ran once`);
  } finally {
    await broker.stop();
    await raw.cleanup([queue]);
  }
});
