import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { engineHooks, PLUGIN_LOG_LIMIT } from '../../src/host/engine-hooks.ts';
import { HostMetrics } from '../../src/observability/host-metrics.ts';
import { bindingsLogger } from './bindings-logger.ts';

test('a chatty plugin is rate limited: lines past the burst are dropped, counted and reported once logging resumes', async () => {
  const { lines, logger } = bindingsLogger();
  let now = 1_000_000;
  const metrics = new HostMetrics();
  const hooks = engineHooks(logger, metrics, () => now);
  const plugin = { name: 'chatty', spec: { key: 'chatty@1#x', version: '1.0.0' } } as ActivePlugin;
  const event = { specversion: '1.0' as const, id: 'e-1', source: 's', type: 't', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
  const total = PLUGIN_LOG_LIMIT.burst + 250;
  for (let i = 0; i < total; i++) hooks.pluginLog?.(plugin, { level: 'info', message: `line ${i}`, time: now }, event);
  assert.equal(lines.length, PLUGIN_LOG_LIMIT.burst);
  assert.deepEqual(lines[0]?.bindings, { plugin: 'chatty', version: '1.0.0' }, 'name and version on every line');
  assert.equal((lines[0]?.fields as { traceparent?: string }).traceparent, event.traceparent, 'traceparent on lines about an event');
  now += 1000;
  hooks.pluginLog?.(plugin, { level: 'info', message: 'after a second', time: now }, undefined);
  assert.equal(lines.at(-2)?.message, 'plugin log lines dropped by the rate limit');
  assert.deepEqual(lines.at(-2)?.fields, { dropped: 250 });
  assert.equal(lines.at(-1)?.message, 'after a second');
  assert.match(await metrics.text(), /plexus_plugin_logs_dropped_total\{plugin="chatty"\} 250/);
  metrics.close();
});
