// A graceful stop while RabbitMQ has gone silent with the connections still
// open (a partition, a frozen VM, a resource alarm): amqplib settles a
// connection's close only when the broker answers it, so an unbounded wait
// would hold the host's shutdown forever (plugins' cleanup never run, the
// store never closed). Both the consuming and the egress connection close
// within their bounds and drop their sockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState } from './egress-fixture.ts';
import { TcpProxy } from './tcp-proxy.ts';

test('stopping with RabbitMQ silent returns within its bounds, ingress and egress alike', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('silent-stop');
  const proxy = await TcpProxy.listen(0, 5672);
  const raw = await RawAmqp.open();
  const url = `amqp://127.0.0.1:${proxy.port}`;
  const broker = await BrokerHost.start({
    brokers: { amqp: { main: { url, username: 'guest', password: 'guest', queues: [{ name: queue, type: 'silent.test', declare: true }] } } },
    egress: [{ name: 'out', match: ['orders.*'], broker: 'main', exchange: 'amq.topic' }],
    plugins: emitterState(['orders.#']),
  });
  try {
    const ingress = broker.broker('amqp:main');
    await waitFor('both connections up', () => ingress.connection.state === 'connected' && broker.host.egress?.connection('egress:amqp:main')?.state === 'connected', 10_000);
    proxy.freeze();
    const started = Date.now();
    const outcome = await Promise.race([broker.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(() => resolve('still stopping'), 40_000))]);
    const took = Date.now() - started;
    t.diagnostic(`stopped after ${took} ms`);
    assert.equal(outcome, 'stopped');
    assert.equal(ingress.connection.state, 'stopped');
  } finally {
    await proxy.close();
    await raw.cleanup([queue]);
  }
});
