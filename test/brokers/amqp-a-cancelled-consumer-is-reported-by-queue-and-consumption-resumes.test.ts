// RabbitMQ cancels a consumer whose queue is deleted (basic.cancel; amqplib
// hands the callback null). The session must not sit silently on a channel
// with no consumer: it starts over, the loss names the queue in the log and
// in /readyz, and consumption resumes once the queue is there again:
// declared anew by the host, or (declare: false) recreated by its owner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

const lossLines = (broker: BrokerHost) => broker.logger.lines.filter((l) => l.message === 'broker connection lost; reconnecting').map((l) => String((l.fields as { err?: unknown }).err));

test('a queue deleted under the consumer is declared again, and the loss names it', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('cancelled');
  const raw = await RawAmqp.open();
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, queues: [{ name: queue }] } } } });
  try {
    raw.publish('', queue, JSON.stringify({ n: 'before' }), { type: 'cancel.test' });
    await waitFor('the first message handled', async () => (await broker.seen('before')) === 1);
    await raw.channel.deleteQueue(queue);
    await waitFor('the loss logged', () => lossLines(broker).length > 0);
    assert.match(lossLines(broker)[0] ?? '', new RegExp(`cancelled the consumer of queue '${queue}'`));
    await waitFor('the queue declared again', async () => broker.broker('amqp:main').connection.state === 'connected' && (await raw.settle(queue)) === 0, 20_000);
    raw.publish('', queue, JSON.stringify({ n: 'after' }), { type: 'cancel.test' });
    await waitFor('the message after the deletion handled', async () => (await broker.seen('after')) === 1);
  } finally {
    await broker.stop();
    await raw.cleanup([queue]);
  }
});

test('a queue someone else owns, deleted under the consumer: /readyz says so until it is back', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('cancelled-owned');
  const raw = await RawAmqp.open();
  await raw.channel.assertQueue(queue, { durable: true });
  const fast = { initialDelayMs: 50, maxDelayMs: 400, multiplier: 2 };
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, reconnect: fast, queues: [{ name: queue, declare: false }] } } } });
  const connection = broker.broker('amqp:main').connection;
  try {
    await raw.channel.deleteQueue(queue);
    await waitFor('the loss logged', () => lossLines(broker).length > 0);
    assert.match(lossLines(broker)[0] ?? '', new RegExp(`cancelled the consumer of queue '${queue}'`));
    // Not declared by the host: every attempt finds it missing, and readiness names it.
    await waitFor('an attempt that finds the queue missing', () => connection.failedAttempts > 0);
    await assert.rejects(connection.check(), (err: Error & { code?: string }) => err.code === 'PLEXUS_UNAVAILABLE' && err.message.includes(`no queue '${queue}'`));
    await raw.channel.assertQueue(queue, { durable: true });
    raw.publish('', queue, JSON.stringify({ n: 'back' }), { type: 'cancel.test' });
    await waitFor('the message in the recreated queue handled', async () => (await broker.seen('back')) === 1, 20_000);
    await connection.check();
  } finally {
    await broker.stop();
    await raw.cleanup([queue]);
  }
});
