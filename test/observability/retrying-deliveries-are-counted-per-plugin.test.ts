// Deliveries waiting for their retry time hold room under delivery.maxQueued
// (src/delivery/README.md, Backpressure), but plexus_queue_depth counts only
// lanes: without a count per plugin an operator could see the host full of
// retries and not whose they were. plexus_plugin_retrying_deliveries says.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { quiet } from '../helpers/quiet-logger.ts';
import { plugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { installFixtures } from '../helpers/installed-fixtures.ts';
import { event } from '../core/core-fixture.ts';
import { samples, until, value } from './metrics-text.ts';

test('deliveries waiting for their retry are counted per plugin, and the series goes once none waits', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-retrying-metrics-'));
  // "failing" fails its first two attempts of each event, "healthy" none.
  await installFixtures(stateDir, [
    { name: 'failing', source: plugin(`const n = Number(await ctx.kv.incr('tries:' + event.id)); if (n <= 2) throw new Error('not yet');`), capabilities: { kv: true } },
    { name: 'healthy', source: plugin('') },
  ], ['kv']);
  const base = defaultHostConfig(stateDir);
  const config = { ...base, delivery: { ...base.delivery, retry: { initialDelayMs: 400, maxRetries: 5, multiplier: 1, maxDelayMs: 400 } }, sandbox: { ...base.sandbox, threads: 1, idleMs: 60_000 } };
  const host = await Host.start(config, { logger: quiet });
  try {
    await host.accept([event('test.a'), event('test.b'), event('test.c')]);
    // Read from the scrape that saw all three waiting: on a slow machine one is due again (400 ms) by the next.
    let text = '';
    await until(async () => {
      text = await host.metrics.text();
      return samples(text, 'plexus_plugin_retrying_deliveries').includes('plexus_plugin_retrying_deliveries{plugin="@fixtures/failing"} 3');
    }, 'three of the failing plugin\'s deliveries waiting');
    assert.deepEqual(samples(text, 'plexus_plugin_retrying_deliveries'), ['plexus_plugin_retrying_deliveries{plugin="@fixtures/failing"} 3'], 'the healthy plugin has no series');
    assert.equal(value(text, 'plexus_retrying_deliveries'), 3, 'the total stays');
    await until(async () => samples(await host.metrics.text(), 'plexus_plugin_retrying_deliveries').length === 0 && value(await host.metrics.text(), 'plexus_retrying_deliveries') === 0, 'every retry done');
  } finally {
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
