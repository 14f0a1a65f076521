// Fault test: RabbitMQ is restarted in the middle of a 10,000-message stream.
// The ingress reconnects by itself (no host restart) and resumes; afterwards
// every message was handled, none lost, duplicates counted and reported.
//
// An `.exclusive-test.ts` file: it stops a broker every other test shares, so
// `npm test` runs it alone, after the other files (which run two at a time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { ResilientPublisher } from './amqp-resilient-publisher.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { keys, tally } from './loss-tally.ts';
import { restartRabbit } from './restart-services.ts';

const COUNT = 10_000;

test('RabbitMQ restarted mid-stream: consumption resumes, nothing lost, duplicates counted', { timeout: 180_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('restart');
  const broker = await BrokerHost.start({
    brokers: { amqp: { main: { url: AMQP_URL, prefetch: 200, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }, queues: [{ name: queue, type: 'restart.test' }] } } },
  });
  const publisher = new ResilientPublisher();
  const started = Date.now();
  try {
    const publishing = publisher.run('', queue, COUNT, (i) => JSON.stringify({ n: i }), { chunk: 100, pauseMs: 40 });
    const ingress = broker.broker('amqp:main');
    await waitFor('a third of the stream handled', () => ingress.stats.acked >= COUNT / 3, 60_000);
    const restartedAt = ingress.stats.acked;
    await restartRabbit(1000);
    await waitFor('the ingress reconnected', () => ingress.connection.state === 'connected', 30_000);
    await publishing;
    await waitFor('the queue drained and every message acknowledged', async () => (await publisher.ready(queue)) === 0 && broker.pending === 0 && (await broker.seen(COUNT - 1)) >= 1, 90_000);

    const { lost, duplicates } = await tally(keys(COUNT), [(key) => broker.seen(key)]);
    const { stats } = ingress;
    t.diagnostic(`rabbitmq restart: ${COUNT} published (${publisher.republished} re-sent by the publisher), restart after ${restartedAt} acks, ` +
      `${ingress.connection.reconnects} reconnect(s), ${stats.received} received, ${stats.accepted} accepted, ${stats.alreadySettled} redeliveries recognised as settled, ` +
      `${stats.joined} joined in flight, ${stats.ackFailures} acks lost with the connection, ${duplicates} duplicate executions, ${lost} lost, ${Date.now() - started} ms`);
    assert.equal(lost, 0, `${lost} messages were never handled`);
    assert.ok(ingress.connection.reconnects >= 1, 'the connection was lost and restored');
    const ready = await broker.readiness.run();
    assert.ok(ready.ready, JSON.stringify(ready.checks));
  } finally {
    await publisher.close();
    await broker.stop();
    await (await RawAmqp.open()).cleanup([queue]);
  }
});
