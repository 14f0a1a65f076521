// A plugin can cause a capability denial per call (ctx.emit of an ungranted
// type in a loop, each caught). The "capability denied" lines go through the
// plugin's log rate limit like its own lines, and the ones held back are
// counted as dropped; plexus_capability_denials_total still counts every
// denial, those an entry tallies past the sandbox's per-batch list included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { engineHooks, PLUGIN_LOG_LIMIT } from '../../src/host/engine-hooks.ts';
import { HostMetrics } from '../../src/observability/host-metrics.ts';
import { bindingsLogger } from './bindings-logger.ts';

test('a flood of denials logs no more lines than the plugin log limit, and the denial counter counts them all', async () => {
  const { lines, logger } = bindingsLogger();
  let now = 1_000_000;
  const metrics = new HostMetrics();
  const hooks = engineHooks(logger, metrics, () => now);
  const plugin = { name: 'denier', spec: { key: 'denier@1#x', version: '1.0.0' } } as ActivePlugin;
  const flood = PLUGIN_LOG_LIMIT.burst + 1500;
  for (let i = 0; i < flood; i++) hooks.denial?.(plugin, { plugin: 'denier', capability: 'emit', target: `nope.t${i}` });
  // One entry standing for the denials the sandbox did not list one by one.
  hooks.denial?.(plugin, { plugin: 'denier', capability: 'emit', target: 'nope.more', count: 18_000 });

  const denied = lines.filter((l) => l.message === 'capability denied');
  assert.equal(denied.length, PLUGIN_LOG_LIMIT.burst, 'lines stop at the burst of the plugin log limit');
  assert.deepEqual(denied[0], { bindings: { plugin: 'denier', version: '1.0.0' }, fields: { capability: 'emit', target: 'nope.t0' }, message: 'capability denied' });
  const text = await metrics.text();
  assert.match(text, new RegExp(`^plexus_capability_denials_total\\{plugin="denier",capability="emit"\\} ${flood + 18_000}$`, 'm'), 'every denial counted');
  assert.match(text, new RegExp(`^plexus_plugin_logs_dropped_total\\{plugin="denier"\\} ${flood + 1 - PLUGIN_LOG_LIMIT.burst}$`, 'm'), 'the lines held back are counted as dropped');

  now += 1000;
  hooks.denial?.(plugin, { plugin: 'denier', capability: 'secrets', target: 'ROOT', count: 3 });
  assert.equal(lines.at(-2)?.message, 'plugin log lines dropped by the rate limit');
  assert.deepEqual(lines.at(-1)?.fields, { capability: 'secrets', target: 'ROOT', count: 3 });
  metrics.close();
});
