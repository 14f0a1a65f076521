// A message whose delivery cannot settle for now (here: queued for a plugin
// that was then disabled) keeps its own ack back, as CONTRACT §6 requires.
// It must not keep back the acks of the messages after it on the channel:
// those are acked on their own after a short hold, so the consumer is not
// stopped at its prefetch and the rest of the stream keeps flowing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

const PREFETCH = 10;
const MORE = 48;

test('messages behind one parked for a disabled plugin are acked and the queue keeps draining', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('parked');
  const raw = await RawAmqp.open();
  await raw.channel.assertQueue(queue, { durable: true });
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, prefetch: PREFETCH, queues: [{ name: queue, type: 'parked.test' }] } } } });
  const ingress = broker.broker('amqp:main');
  try {
    // m0 keeps the plugin busy, so m1 waits in its lane; then the plugin is disabled and m1 stays there.
    raw.publish('', queue, JSON.stringify({ n: 0, spinMs: 1500 }));
    await waitFor('m0 taken', () => ingress.stats.received >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    raw.publish('', queue, JSON.stringify({ n: 1 }));
    await waitFor('m1 taken', () => ingress.stats.received >= 2);
    await broker.host.reloadPlugins([]);
    await waitFor('m0 done', () => ingress.stats.acked >= 1, 10_000);
    // Routed to no plugin now: each settles at once, behind m1's tag.
    for (let i = 2; i < 2 + MORE; i++) raw.publish('', queue, JSON.stringify({ n: i }));
    await waitFor(`all ${MORE} later messages delivered and acked`, async () => ingress.stats.acked === 1 + MORE && (await raw.settle(queue)) === 0, 15_000);
    assert.equal(ingress.stats.received, 2 + MORE);
    assert.equal(ingress.pending, 1, 'only m1 is still unacknowledged');
    // Enabled again, the plugin gets m1, and its ack goes out too.
    await broker.host.reloadPlugins();
    await waitFor('m1 done', () => ingress.pending === 0, 10_000);
    assert.equal(await broker.seen(1), 1);
  } finally {
    await broker.stop();
    await raw.cleanup([queue]);
  }
});
