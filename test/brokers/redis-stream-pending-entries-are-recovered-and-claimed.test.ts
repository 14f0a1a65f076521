// Entries delivered but never acknowledged are not lost: a host re-reads its
// own pending entries when it (re)connects, and takes over (XAUTOCLAIM) those
// a dead consumer left pending longer than claimIdleMs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { pendingCount, rawRedis, REDIS_URL } from './redis-helpers.ts';

test('own pending entries are recovered and a dead consumer\'s are claimed', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('claim');
  const redis = await rawRedis();
  await redis.call('XGROUP', ['CREATE', stream, 'g', '0', 'MKSTREAM']);
  for (let i = 0; i < 50; i++) await redis.call('XADD', [stream, '*', 'type', 'claim.test', 'n', String(i)]);
  // Ten taken earlier by this host's consumer name (it crashed), twenty by a host that is gone for good.
  await redis.call('XREADGROUP', ['GROUP', 'g', 'me', 'COUNT', 10, 'STREAMS', stream, '>']);
  await redis.call('XREADGROUP', ['GROUP', 'g', 'dead-host', 'COUNT', 20, 'STREAMS', stream, '>']);
  assert.equal(await pendingCount(redis, stream, 'g'), 30);
  const broker = await BrokerHost.start({
    brokers: { redis: { main: { url: REDIS_URL, consumer: 'me', streams: [{ key: stream, group: 'g', claimIdleMs: 1000, blockMs: 200 }] } } },
  });
  try {
    await waitFor('all fifty handled', async () => (await Promise.all(Array.from({ length: 50 }, (_, i) => broker.seen(i)))).every((n) => n >= 1), 30_000);
    await waitFor('nothing pending', async () => (await pendingCount(redis, stream, 'g')) === 0 && broker.pending === 0);
    const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => broker.seen(i)));
    assert.ok(counts.every((n) => n === 1), `each entry handled once: ${counts.join(',')}`);
    const stats = broker.stats('redis:main');
    assert.equal(stats.recovered, 10, 'own pending entries re-read at start');
    assert.equal(stats.claimed, 20, 'the dead consumer\'s entries claimed');
  } finally {
    await broker.stop();
    await redis.del(stream);
    redis.disconnect();
  }
});
