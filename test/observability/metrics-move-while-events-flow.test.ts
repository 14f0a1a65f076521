import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAdminApp } from '../../src/admin/admin-app.ts';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { quiet } from '../helpers/quiet-logger.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { event } from '../core/core-fixture.ts';

/** The value of one sample line, e.g. value(text, 'plexus_plugin_executions_total', 'plugin="@fixtures/metered"'). */
function value(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(labels) && !l.startsWith('#'));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('the metrics are present, refused without the token, and move while events flow', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-metrics-'));
  const root = await writePlugin({
    name: 'metered',
    capabilities: { emit: ['test.out', 'admin.#'] },
    source: `import { definePlugin, PermanentError } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  if (event.data?.deny) ctx.emit('admin.wipe', {});
  if (event.data?.bad) throw new PermanentError('bad');
  ctx.log.info('ok');
} });`,
  }, stateDir);
  await writeFile(join(stateDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ name: '@fixtures/metered', version: '1.0.0', root, enabled: true, grants: ['emit:test.out'], config: {} }] }));
  const host = await Host.start({ ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1, idleMs: 60_000 } }, { logger: quiet });
  const app = buildAdminApp({ host, token: 'metrics-token-0123456789', logger: quiet });
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode, 401);
    const scrape = async () => {
      const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/plain/);
      return res.body;
    };
    const before = await scrape();
    for (const name of ['plexus_queue_depth', 'plexus_dlq_size', 'plexus_nodejs_eventloop_lag_p99_seconds', 'plexus_sandbox_utilization', 'plexus_sandbox_rss_bytes', 'plexus_process_resident_memory_bytes']) {
      assert.match(before, new RegExp(`^${name}`, 'm'), `${name} is exported`);
    }
    await host.accept([event('test.a'), event('test.a'), event('test.b', { data: { bad: true } }), event('test.c', { data: { deny: true } })]);
    await host.engine.idle();
    const after = await scrape();
    const plugin = 'plugin="@fixtures/metered"';
    assert.equal(value(after, 'plexus_plugin_executions_total', plugin), 4);
    assert.equal(value(after, 'plexus_plugin_failures_total', 'code="PLEXUS_CAPABILITY_DENIED"'), 1);
    assert.equal(value(after, 'plexus_plugin_dead_lettered_total', 'reason="permanent"'), 2);
    assert.equal(value(after, 'plexus_capability_denials_total', 'capability="emit"'), 1);
    assert.equal(value(after, 'plexus_dlq_size'), 2);
    assert.equal(value(after, 'plexus_plugin_batch_duration_seconds_count', plugin) >= 1, true);
    assert.equal(value(after, 'plexus_sandbox_rss_bytes') > 0, true);
  } finally {
    await app.close();
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
