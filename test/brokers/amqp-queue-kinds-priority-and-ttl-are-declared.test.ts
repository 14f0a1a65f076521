// The host declares classic and quorum queues with the configured arguments
// (x-max-priority, x-message-ttl, x-expires): RabbitMQ accepts an equivalent
// declaration from another client and refuses a different one (406), which
// is how a client can tell what a queue was declared with. A backlog in a
// priority queue reaches the host highest priority first, and the message
// priority becomes the event priority.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

test('classic and quorum queues are declared with priority, TTL and expiry arguments', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const classic = uniqueName('classic');
  const quorum = uniqueName('quorum');
  const raw = await RawAmqp.open();
  const broker = await BrokerHost.start({
    brokers: {
      amqp: {
        main: {
          url: AMQP_URL,
          queues: [
            { name: classic, maxPriority: 9, messageTtlMs: '1m', expiresMs: '10m' },
            { name: quorum, kind: 'quorum', messageTtlMs: 30_000 },
          ],
        },
      },
    },
  });
  try {
    await raw.channel.assertQueue(classic, { durable: true, arguments: { 'x-max-priority': 9, 'x-message-ttl': 60_000, 'x-expires': 600_000 } });
    await raw.channel.assertQueue(quorum, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-message-ttl': 30_000 } });
    const probe = await raw.model.createChannel();
    probe.on('error', () => undefined);
    await assert.rejects(probe.assertQueue(classic, { durable: true, arguments: { 'x-max-priority': 5, 'x-message-ttl': 60_000, 'x-expires': 600_000 } }), /PRECONDITION_FAILED/);
    await waitFor('the host consuming both queues', async () => (await raw.channel.checkQueue(quorum)).consumerCount === 1 && (await raw.channel.checkQueue(classic)).consumerCount === 1);
  } finally {
    await broker.stop();
    await raw.cleanup([classic, quorum]);
  }
});

test('a priority backlog reaches the host highest first, with the message priority as event priority', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('priority');
  const raw = await RawAmqp.open();
  // The queue exists with its backlog before the host starts consuming.
  await raw.channel.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 9 } });
  for (let i = 0; i < 20; i++) raw.publish('', queue, JSON.stringify({ n: `low-${i}` }), { priority: 1, type: 'prio.test' });
  raw.publish('', queue, JSON.stringify({ n: 'high', record: true }), { priority: 9, type: 'prio.test' });
  await waitFor('the backlog queued', async () => (await raw.settle(queue)) === 21);
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, prefetch: 1, queues: [{ name: queue, maxPriority: 9 }] } } } });
  try {
    await waitFor('the backlog handled', async () => (await raw.settle(queue)) === 0 && (await broker.seen('low-19')) === 1 && (await broker.seen('high')) === 1);
    const journal = await broker.host.store.readJournal({ from: 0, type: 'prio.test', limit: 100 });
    assert.equal(journal.length, 21);
    assert.deepEqual(journal[0]?.event.data, { n: 'high', record: true }, 'the priority 9 message came first');
    assert.equal(journal[0]?.event.priority, 9);
    assert.equal(journal[1]?.event.priority, 1);
  } finally {
    await broker.stop();
    await raw.cleanup([queue]);
  }
});
