// A session opens one consumer per queue, one after the other, and RabbitMQ
// starts delivering to the first at once. When a later one is refused (its
// queue in exclusive use by another consumer) the session never opens and
// its channel is gone: the messages the first consumer received must not run,
// since their acks cannot be sent and RabbitMQ hands them out again at the
// next attempt. They used to run at every attempt: a message without a
// message id once per reconnect, for as long as the other queue stayed locked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

test('messages received while a session fails to open run once, after it opens', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const open = uniqueName('open-first');
  const locked = uniqueName('open-locked');
  const raw = await RawAmqp.open();
  await raw.channel.assertQueue(open, { durable: true });
  await raw.channel.assertQueue(locked, { durable: true });
  const { consumerTag } = await raw.channel.consume(locked, () => undefined, { exclusive: true });
  // Plain messages without a message id: nothing can tell a second delivery from a new message.
  for (let i = 0; i < 5; i++) raw.publish('', open, JSON.stringify({ n: i }), { type: 'plain.message' });
  await raw.settle(open);
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, queues: [{ name: open }, { name: locked }] } } } });
  try {
    const ingress = broker.broker('amqp:main');
    await waitFor('several attempts refused', () => ingress.connection.failedAttempts >= 4, 20_000);
    const early = await Promise.all([0, 1, 2, 3, 4].map((i) => broker.seen(i)));
    assert.deepEqual(early, [0, 0, 0, 0, 0], 'nothing ran while no session was open');
    assert.equal(broker.stats('amqp:main').received, 0);
    await raw.channel.cancel(consumerTag);
    await waitFor('all five handled', async () => (await Promise.all([0, 1, 2, 3, 4].map((i) => broker.seen(i)))).every((n) => n >= 1), 20_000);
    await waitFor('all five acked', () => broker.stats('amqp:main').acked === 5, 10_000);
    const counts = await Promise.all([0, 1, 2, 3, 4].map((i) => broker.seen(i)));
    assert.deepEqual(counts, [1, 1, 1, 1, 1], 'each ran once');
  } finally {
    await broker.stop();
    await raw.cleanup([open, locked]);
  }
});
