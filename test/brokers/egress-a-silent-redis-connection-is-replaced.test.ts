// A Redis egress connection can go silent with its socket still open: a
// firewall or NAT drops the flow, the server freezes. No 'end' ever comes
// (the kernel gives up on such a socket many minutes later, or never while
// something still acks at the TCP level), so the session would stay
// "connected" and every round on it would wait out the confirm timeout,
// none published, while a new connection would work at once. A round that
// got no reply at all ends the session: the connection is replaced and the
// events are published through the new one.
//
// The proxy (silencing-tcp-proxy.ts) silences only the connections open at
// that moment; new ones pass, as after a dropped NAT entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState, sample, trigger } from './egress-fixture.ts';
import { rawRedis } from './redis-helpers.ts';
import { SilencingTcpProxy } from './silencing-tcp-proxy.ts';

const COUNT = 5;

test('a Redis egress connection that answers nothing is replaced, and the events are published through the new one', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('egress-silent');
  const redis = await rawRedis();
  const proxy = await SilencingTcpProxy.listen(6379);
  const broker = await BrokerHost.start({
    brokers: { redis: { out: { url: `redis://127.0.0.1:${proxy.port}`, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } } },
    egress: [{ name: 'silent', match: 'orders.#', broker: 'out', stream, confirmTimeoutMs: '2s', retry: { initialDelayMs: 50, maxDelayMs: 200 } }],
    plugins: emitterState(['orders.#']),
  });
  try {
    const connection = broker.host.egress?.connection('egress:redis:out');
    await waitFor('the egress connection up', () => connection?.state === 'connected');
    proxy.silence();
    await broker.host.accept(Array.from({ length: COUNT }, (_, i) => trigger('orders.created', i)));

    // The first round waits out the confirm timeout (2 s here); then the connection is replaced.
    await waitFor('published through a new connection', async () => Number(await redis.xlen(stream)) >= COUNT && (await broker.host.store.pending()).length === 0, 30_000);
    assert.ok((connection?.reconnects ?? 0) >= 1, 'the silent session was given up');
    assert.equal(Number(await redis.xlen(stream)), COUNT);
    assert.equal(await sample(broker.host, 'plexus_egress_published_total', { target: 'silent' }), COUNT);
    assert.equal(await broker.host.store.countDlq({}), 0);
  } finally {
    await broker.stop();
    await proxy.close();
    await redis.del(stream);
    redis.disconnect();
  }
});
