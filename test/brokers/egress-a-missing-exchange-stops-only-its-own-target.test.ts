// Egress targets on one broker share its connection. A target whose
// exchange does not exist (not declared yet, a typo) used to fail that
// connection's every opening, so the other targets on the broker published
// nothing either, for as long as the exchange was missing. Only the target
// whose exchange is missing may wait: the others publish, and its own events
// are retried, with an error naming the exchange, until it is declared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumeMessage } from 'amqplib';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState, sample, trigger } from './egress-fixture.ts';

const COUNT = 3;

test('a target whose exchange is missing waits for it alone: the other targets on the broker publish', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const present = uniqueName('egress-present');
  const missing = uniqueName('egress-missing');
  const [presentQueue, missingQueue] = [uniqueName('egress-present-sink'), uniqueName('egress-missing-sink')];
  const raw = await RawAmqp.open();
  await raw.channel.assertExchange(present, 'topic', { durable: false });
  const received = { present: [] as ConsumeMessage[], missing: [] as ConsumeMessage[] };
  await raw.sink(present, presentQueue, 'orders.#', (m) => received.present.push(m));
  const retry = { initialDelayMs: 50, maxDelayMs: 200 };
  const broker = await BrokerHost.start({
    brokers: { amqp: { out: { url: AMQP_URL, username: 'guest', password: 'guest' } } },
    egress: [
      { name: 'to-present', match: ['orders.*'], broker: 'out', exchange: present, retry },
      { name: 'to-missing', match: ['payments.*'], broker: 'out', exchange: missing, retry },
    ],
    plugins: emitterState(['orders.#', 'payments.#']),
  });
  const errors: string[] = [];
  try {
    await broker.host.accept([
      ...Array.from({ length: COUNT }, (_, i) => trigger('orders.created', i)),
      ...Array.from({ length: COUNT }, (_, i) => trigger('payments.created', i)),
    ]);
    await waitFor('the target with an exchange published everything', () => received.present.length >= COUNT, 20_000);
    await waitFor('the target without one failed and is retried', async () => ((await sample(broker.host, 'plexus_plugin_failures_total', { plugin: 'egress:to-missing' })) ?? 0) >= 2 * COUNT, 20_000);
    assert.equal((await sample(broker.host, 'plexus_egress_published_total', { target: 'to-missing' })) ?? 0, 0);
    for (const record of await broker.host.store.pending()) if (record.lastError) errors.push(record.lastError.message);
    assert.ok(errors.some((m) => m.includes(`exchange "${missing}" does not exist`)), `an error names the missing exchange: ${JSON.stringify(errors)}`);

    await raw.channel.assertExchange(missing, 'topic', { durable: false });
    await raw.sink(missing, missingQueue, 'payments.#', (m) => received.missing.push(m));
    await waitFor('every event of the waiting target arrives once its exchange exists', () => received.missing.length >= COUNT, 20_000);
    await broker.host.engine.idle();
    assert.deepEqual(received.present.map((m) => (JSON.parse(m.content.toString()) as { data: { n: number } }).data.n).sort(), [0, 1, 2]);
    assert.deepEqual(received.missing.map((m) => (JSON.parse(m.content.toString()) as { data: { n: number } }).data.n).sort(), [0, 1, 2]);
    assert.equal(await sample(broker.host, 'plexus_egress_published_total', { target: 'to-missing' }), COUNT);
    assert.equal(await broker.host.store.countDlq({}), 0);
  } finally {
    await broker.stop();
    await raw.cleanup([presentQueue, missingQueue], [present, missing]);
  }
});
