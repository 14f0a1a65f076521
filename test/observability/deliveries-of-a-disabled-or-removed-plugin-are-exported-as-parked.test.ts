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

const NAME = '@fixtures/flaky';

// The same deliveries, kept for a plugin that is not active, read as
// plexus_parked_deliveries whether the plugin was disabled in this run or
// before a restart, and never as work waiting to run under its name: a
// plugin that is gone leaves no queue, in-flight or circuit series behind.
test('deliveries of a disabled or removed plugin are exported as parked, and its series go with it', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-parked-metrics-'));
  await installFixtures(stateDir, [{ name: 'flaky', source: plugin(`throw new Error('not yet');`) }]);
  const base = defaultHostConfig(stateDir);
  const config = { ...base, delivery: { ...base.delivery, retry: { initialDelayMs: 150, maxRetries: 100, multiplier: 1, maxDelayMs: 150 } }, sandbox: { ...base.sandbox, threads: 1, idleMs: 60_000 } };
  let host = await Host.start(config, { logger: quiet });
  try {
    await host.accept([event('test.a'), event('test.b'), event('test.c')]);
    await until(async () => value(await host.metrics.text(), 'plexus_retrying_deliveries') === 3, 'three deliveries retrying');
    await host.pluginManager.update(NAME, { enabled: false });
    // Their retry time passes while the plugin is disabled: they wait for its return.
    await until(async () => value(await host.metrics.text(), 'plexus_retrying_deliveries') === 0, 'the retries to come due');
    const disabled = await host.metrics.text();
    assert.equal(value(disabled, 'plexus_parked_deliveries'), 3, 'a disabled plugin\'s deliveries are parked');
    assert.deepEqual(samples(disabled, 'plexus_queue_depth').filter((l) => l.includes(NAME)), [], 'nor waiting to run under its name');

    await host.stop();
    host = await Host.start(config, { logger: quiet });
    const restarted = await host.metrics.text();
    assert.equal(value(restarted, 'plexus_parked_deliveries'), 3, 'the same deliveries read the same after a restart');

    await host.pluginManager.update(NAME, { enabled: true });
    await until(async () => value(await host.metrics.text(), 'plexus_parked_deliveries') === 0, 'the parked deliveries to return');
    await host.pluginManager.uninstall(NAME);
    await until(async () => {
      const text = await host.metrics.text();
      return value(text, 'plexus_retrying_deliveries') === 0 && value(text, 'plexus_parked_deliveries') === 3;
    }, 'an uninstalled plugin\'s deliveries to be parked');
    const removed = await host.metrics.text();
    for (const name of ['plexus_queue_depth', 'plexus_in_flight_batches', 'plexus_circuit_state']) {
      assert.deepEqual(samples(removed, name).filter((l) => l.includes(NAME)), [], `${name} has no series for a removed plugin`);
    }
  } finally {
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
