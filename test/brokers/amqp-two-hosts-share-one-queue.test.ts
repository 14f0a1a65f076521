// Two hosts consuming one queue are competing consumers: RabbitMQ gives each
// message to one of them, both do part of the work, and nothing is lost.
// The queue is bound to a durable topic exchange with the plugins'
// `subscribe` patterns, so only what some plugin wants is routed to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { keys, tally } from './loss-tally.ts';

const COUNT = 3000;

test('two hosts on one queue share the work, each message handled', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('shared');
  const exchange = uniqueName('topic');
  const raw = await RawAmqp.open();
  const brokers = { amqp: { main: { url: AMQP_URL, prefetch: 50, exchange: { name: exchange }, queues: [{ name: queue, bindSubscriptions: true }] } } };
  const first = await BrokerHost.start({ brokers, subscribe: ['share.#'] });
  const second = await BrokerHost.start({ brokers, subscribe: ['share.#'] });
  try {
    // Not subscribed by any plugin: never bound, so RabbitMQ drops it unrouted.
    raw.publish(exchange, 'other.thing', JSON.stringify({ n: 'unrouted' }));
    for (let i = 0; i < COUNT; i++) raw.publish(exchange, 'share.work', JSON.stringify({ n: i }), { messageId: `m-${i}` });
    const seenBoth = async (i: number) => (await first.seen(i)) + (await second.seen(i));
    await waitFor('every message handled by one of the hosts', async () => (await raw.settle(queue)) === 0 && (await seenBoth(COUNT - 1)) >= 1, 60_000);
    await waitFor('both hosts idle', () => first.pending === 0 && second.pending === 0);
    const { lost, duplicates, handledBy: [byFirst = 0] } = await tally(keys(COUNT), [(key) => first.seen(key), (key) => second.seen(key)]);
    t.diagnostic(`two hosts: ${byFirst} by the first, ${COUNT - byFirst} by the second, ${duplicates} duplicates, ${lost} lost`);
    assert.equal(lost, 0);
    assert.equal(duplicates, 0, 'competing consumers never both complete a message while both run');
    assert.ok(byFirst > COUNT * 0.1 && byFirst < COUNT * 0.9, `the work is shared (${byFirst} of ${COUNT} by the first host)`);
    assert.equal(await first.seen('unrouted'), 0);
    assert.equal(await second.seen('unrouted'), 0);
  } finally {
    await first.stop();
    await second.stop();
    await raw.cleanup([queue], [exchange]);
  }
});
