// While a stopping host drains (its reads have ended, its last entries are
// still running), it keeps re-claiming the entries it holds, as it does
// while it reads: another host's XAUTOCLAIM with the group's claim idle time
// finds nothing to take, so no entry runs twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { BrokerHost, COUNTER, COUNTER_SOURCE, uniqueName, waitFor } from './broker-fixture.ts';
import { rawRedis } from './redis-helpers.ts';

const CLAIM_IDLE_MS = 1500;

/** The counting plugin, allowed to run an entry for longer than the claim idle time. */
async function slowCounter(stateDir: string): Promise<void> {
  const root = await writePlugin({ name: 'broker-counter', subscribe: ['#'], capabilities: { kv: true }, limits: { timeoutMs: 10_000 }, source: COUNTER_SOURCE }, stateDir);
  await writeFile(join(stateDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ name: COUNTER, version: '1.0.0', root, enabled: true, grants: ['kv'], config: {} }] }));
}

test('an entry still running while its host stops is not claimable by another consumer', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('drain-claim');
  const redis = await rawRedis();
  const broker = await BrokerHost.start({ brokers: { redis: { main: { url: 'redis://127.0.0.1:6379', streams: [{ key: stream, group: 'g', type: 'drain.test', blockMs: 200, claimIdleMs: CLAIM_IDLE_MS }] } } }, plugins: slowCounter });
  try {
    await redis.xadd(stream, '*', 'data', JSON.stringify({ n: 1, spinMs: 4500 }));
    const ingress = broker.broker('redis:main');
    await waitFor('the entry taken', () => ingress.stats.received === 1, 10_000);
    const stopping = ingress.stop();
    // Past the claim idle time since the entry was delivered, with the plugin still running it.
    let stolen = 0;
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const reply = (await redis.call('XAUTOCLAIM', stream, 'g', 'thief', CLAIM_IDLE_MS, '0-0', 'COUNT', 10)) as [string, unknown[]];
      stolen += reply[1].length;
    }
    await stopping;
    assert.equal(stolen, 0, 'another consumer could claim an entry still running');
    assert.equal(await broker.seen(1), 1);
  } finally {
    await broker.host.stop();
    await redis.del(stream);
    redis.disconnect();
  }
});
