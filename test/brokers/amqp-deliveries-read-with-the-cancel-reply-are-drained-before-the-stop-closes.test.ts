// A stop cancels the consumers, then waits for what was taken to settle and
// be acked before it closes the channel. RabbitMQ may send deliveries right
// up to its basic.cancel-ok, and a busy consumer reads the last of them in
// the same socket read as the reply: they were still waiting for their batch
// (taken at the end of the turn) when the stop found nothing pending and
// closed the channel. The host then accepted and ran them anyway, their acks
// went nowhere, and RabbitMQ requeued them: every one ran a second time at
// the next start (or at once on another host sharing the queue).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { HoldingTcpProxy } from './holding-tcp-proxy.ts';

/** basic.cancel-ok: class 60, method 31. */
const CANCEL_OK = Buffer.from([0x00, 0x3c, 0x00, 0x1f]);

test('deliveries that arrive with the cancel reply are settled and acked before the stop closes the channel', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('cancel-race');
  const proxy = await HoldingTcpProxy.listen(5672);
  const raw = await RawAmqp.open();
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: `amqp://127.0.0.1:${proxy.port}`, queues: [{ name: queue }] } } } });
  const ingress = broker.broker('amqp:main');
  let stopped = false;
  try {
    assert.equal(ingress.connection.state, 'connected');
    proxy.hold();
    const keys = ['late-0', 'late-1', 'late-2'];
    for (const n of keys) raw.publish('', queue, JSON.stringify({ n }), { type: 'late.event' });
    await waitFor('the deliveries held in the proxy', () => keys.every((n) => proxy.held().includes(n)));
    const stopping = ingress.stop();
    await waitFor('the cancel reply held behind them', () => proxy.held().lastIndexOf(CANCEL_OK) > proxy.held().indexOf('late-2'));
    // The host reads the deliveries and the reply in one go.
    proxy.release();
    await stopping;
    stopped = true;

    for (const n of keys) assert.equal(await broker.seen(n), 1, `${n} ran once`);
    assert.equal(await raw.settle(queue), 0, 'nothing went back to the queue to run again');
    assert.equal(broker.stats('amqp:main').acked, keys.length);
  } finally {
    if (!stopped) await ingress.stop().catch(() => undefined);
    await broker.stop();
    await proxy.close();
    await raw.cleanup([queue]);
  }
});
