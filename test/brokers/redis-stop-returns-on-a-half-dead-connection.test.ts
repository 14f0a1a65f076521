// A graceful stop while Redis has gone silent with the connection still open
// (a partition, a frozen VM): no reply ever comes, not to the reads nor to
// the last acknowledgements. Every wait of the stop is bounded, so it
// returns and closes the connection; the entries whose XACK never got
// through stay pending in the group, to be delivered again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { rawRedis } from './redis-helpers.ts';
import { TcpProxy } from './tcp-proxy.ts';

test('stopping with Redis silent returns within its bounds and closes the connection', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('silent-stop');
  const proxy = await TcpProxy.listen(0, 6379);
  const redis = await rawRedis();
  const broker = await BrokerHost.start({ brokers: { redis: { main: { url: `redis://127.0.0.1:${proxy.port}`, streams: [{ key: stream, group: 'g', type: 'silent.test', blockMs: 200 }] } } } });
  try {
    for (let i = 0; i < 20; i++) await redis.xadd(stream, '*', 'data', JSON.stringify({ n: i, spinMs: 50 }));
    const ingress = broker.broker('redis:main');
    await waitFor('entries taken', () => ingress.stats.received > 0, 10_000);
    proxy.freeze();
    const started = Date.now();
    const outcome = await Promise.race([ingress.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(() => resolve('still stopping'), 45_000))]);
    assert.equal(outcome, 'stopped');
    t.diagnostic(`stopped after ${Date.now() - started} ms`);
    assert.equal(ingress.connection.state, 'stopped');
  } finally {
    await proxy.close();
    await broker.host.stop();
    await redis.del(stream);
    redis.disconnect();
  }
});
