// Pub/sub is at most once, but what Redis hands the host is never hidden
// (README: dropped messages are counted). A stop ends intake and then
// unsubscribes; Redis goes on pushing the channel's messages until it has
// the UNSUBSCRIBE, and the host reads them before the reply. Those were
// ignored: not taken, not counted as received or dropped, though PUBLISH had
// told their sender one subscriber got each. The host still accepts events
// then (the ingress drains before the host stops), so they are taken.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { HoldingTcpProxy } from './holding-tcp-proxy.ts';
import { rawRedis } from './redis-helpers.ts';

test('channel messages that arrive with the unsubscribe reply are taken, not silently ignored', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const channel = uniqueName('unsub-race');
  const proxy = await HoldingTcpProxy.listen(6379);
  const redis = await rawRedis();
  const broker = await BrokerHost.start({ brokers: { redis: { main: { url: `redis://127.0.0.1:${proxy.port}`, pubsub: [{ channel, type: 'pubsub.late' }] } } } });
  const ingress = broker.broker('redis:main');
  let stopped = false;
  try {
    await waitFor('the host subscribed', async () => {
      const reply = (await redis.call('PUBSUB', ['NUMSUB', channel])) as unknown[];
      return Number(reply[1]) === 1;
    });
    proxy.hold();
    const keys = ['late-0', 'late-1', 'late-2'];
    let delivered = 0;
    for (const n of keys) delivered += Number(await redis.publish(channel, JSON.stringify({ n })));
    assert.equal(delivered, keys.length, 'Redis handed every message to the host');
    await waitFor('the messages held in the proxy', () => keys.every((n) => proxy.held().includes(n)));
    const stopping = ingress.stop();
    await waitFor('the unsubscribe reply held behind them', () => proxy.held().lastIndexOf('unsubscribe') > proxy.held().indexOf('late-2'));
    // The host reads the messages and the reply in one go.
    proxy.release();
    await stopping;
    stopped = true;

    const stats = broker.stats('redis:main');
    assert.equal(stats.received, keys.length, 'every message Redis handed over is counted');
    for (const n of keys) assert.equal(await broker.seen(n), 1, `${n} ran`);
    assert.equal(stats.dropped, 0);
  } finally {
    if (!stopped) await ingress.stop().catch(() => undefined);
    await broker.stop();
    await proxy.close();
    redis.disconnect();
  }
});
