// A plugin that leaves a kv call running after its batch has its instance
// replaced (cause `detached`). A batch run as a sync call returns before its
// calls reach the worker, so the replacement happens after the batch's result
// has gone, and it used to be reported with the plugin's next batch on that
// worker. A plugin that got no further batch there was never counted or
// logged. The worker now reports it on its own.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import { event } from '../core/core-fixture.ts';
import { waitFor } from '../brokers/broker-fixture.ts';

const NAME = '@fixtures/leaves-work';

test('an instance replaced after its batch returned is counted and logged with no further batch', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-late-restart-'));
  // Not awaited: the call reaches the worker after the batch has returned.
  const root = await writePlugin({
    name: 'leaves-work',
    capabilities: { kv: true },
    source: "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute(event, ctx) { ctx.kv.get('k').then(() => undefined); } });",
  }, stateDir);
  await writeFile(join(stateDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ name: NAME, version: '1.0.0', root, enabled: true, grants: ['kv'], config: {} }] }));
  const logger = new RecordingLogger();
  const host = await Host.start({ ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1, idleMs: 60_000 } }, { logger });
  try {
    await host.accept([event('test.once')]);
    await host.engine.idle();
    const restarts = async () => (await host.metrics.restarts.get()).values.filter((v) => v.labels.cause === 'detached' && v.labels.plugin === NAME && v.labels.version === '1.0.0').reduce((sum, v) => sum + v.value, 0);
    await waitFor('the detached restart counted', async () => (await restarts()) === 1, 10_000);
    const logged = logger.lines.filter((line) => line.message === 'plugin instance replaced');
    assert.equal(logged.length, 1);
    assert.deepEqual(logged[0]?.fields, { plugin: NAME, version: '1.0.0', cause: 'detached' });
    // Counted once: the next batch does not report it again.
    await host.accept([event('test.again')]);
    await host.engine.idle();
    await waitFor('the second detached restart counted', async () => (await restarts()) === 2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await restarts(), 2, 'one restart per instance replaced, never reported twice');
  } finally {
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
