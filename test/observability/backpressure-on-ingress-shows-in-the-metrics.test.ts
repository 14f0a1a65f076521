// When ingress waits for room under delivery.maxQueued, an operator sees it:
// plexus_held_deliveries against plexus_max_queued says how full the host
// is (retries included), and plexus_admission_waits_total counts the accepts
// that had to wait. Brokers simply stop taking messages then, so without
// these nothing on the host's side showed why a queue grew.
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
import { until, value } from './metrics-text.ts';

const MAX_QUEUED = 3;

test('a host full of deliveries waiting for their retry shows as held at maxQueued, and the accepts that wait are counted', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-held-metrics-'));
  await installFixtures(stateDir, [{ name: 'failing', source: plugin(`throw new Error('not yet');`) }]);
  const base = defaultHostConfig(stateDir);
  const config = {
    ...base,
    delivery: { ...base.delivery, maxQueued: MAX_QUEUED, retry: { initialDelayMs: 60_000, maxRetries: 3, multiplier: 1, maxDelayMs: 60_000 } },
    sandbox: { ...base.sandbox, threads: 1, idleMs: 60_000 },
  };
  const host = await Host.start(config, { logger: quiet });
  try {
    const idle = await host.metrics.text();
    assert.equal(value(idle, 'plexus_held_deliveries'), 0);
    assert.equal(value(idle, 'plexus_max_queued'), MAX_QUEUED);
    assert.equal(value(idle, 'plexus_admission_waits_total'), 0);

    await host.accept([event('test.a'), event('test.b'), event('test.c')]);
    await until(async () => value(await host.metrics.text(), 'plexus_retrying_deliveries') === MAX_QUEUED, 'every delivery waits for its retry');
    assert.equal(value(await host.metrics.text(), 'plexus_held_deliveries'), MAX_QUEUED, 'retries held in memory count');

    await assert.rejects(host.accept([event('test.d')], undefined, undefined, 50), { code: 'PLEXUS_UNAVAILABLE' });
    await assert.rejects(host.accept([event('test.e')], undefined, undefined, 50), { code: 'PLEXUS_UNAVAILABLE' });
    const full = await host.metrics.text();
    assert.equal(value(full, 'plexus_admission_waits_total'), 2, 'each accept that waited, once');
    assert.equal(value(full, 'plexus_held_deliveries'), MAX_QUEUED, 'nothing refused was added');
  } finally {
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
