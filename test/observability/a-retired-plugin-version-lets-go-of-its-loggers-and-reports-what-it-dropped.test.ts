// Each upgrade or config change makes a new version key. The host's per-key
// loggers and counters used to stay for the host's life (one more per change),
// and lines the rate limit held back from a version that then retired were
// never reported: the report waits for that version's next line.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { engineHooks, PLUGIN_LOG_LIMIT } from '../../src/host/engine-hooks.ts';
import { HostMetrics } from '../../src/observability/host-metrics.ts';
import { namedEvent, SqliteEngineFixture, succeed, testPlugin } from '../delivery/sqlite-engine-fixture.ts';
import { bindingsLogger } from './bindings-logger.ts';

const retired: string[] = [];
const fixture = new SqliteEngineFixture({ hooks: { retired: (key) => void retired.push(key) } });
after(() => fixture.close());

const version = (key: string) => ({ name: 'chatty', spec: { key, version: key.split('@')[1] } }) as ActivePlugin;

test('the engine tells the host when a version it swapped out has finished its last batch', async () => {
  const v1 = testPlugin('p', async (events: readonly PlexusEvent[]) => succeed(events));
  const v2 = { ...v1, spec: { ...v1.spec, key: 'p@2.0.0', version: '2.0.0' } };
  fixture.engine.setPlugins([v1]);
  await fixture.engine.accept([namedEvent('one')]);
  await fixture.engine.idle();
  assert.deepEqual(retired, []);
  fixture.engine.setPlugins([v2]);
  assert.deepEqual(retired, ['p@1.0.0']);
  fixture.engine.setPlugins([]);
  assert.deepEqual(retired, ['p@1.0.0', 'p@2.0.0']);
});

test('a retired version reports the lines its rate limit dropped', () => {
  const { lines, logger } = bindingsLogger();
  const metrics = new HostMetrics();
  const hooks = engineHooks(logger, metrics, () => 1_000_000);
  const old = version('chatty@1.0.0');
  for (let i = 0; i < PLUGIN_LOG_LIMIT.burst + 7; i++) hooks.pluginLog?.(old, { level: 'info', message: `line ${i}`, time: 0 }, undefined);
  assert.equal(lines.length, PLUGIN_LOG_LIMIT.burst);
  hooks.retired?.('chatty@1.0.0');
  assert.equal(lines.at(-1)?.message, 'plugin log lines dropped by the rate limit');
  assert.deepEqual(lines.at(-1)?.fields, { dropped: 7 });
  assert.deepEqual(lines.at(-1)?.bindings, { plugin: 'chatty', version: '1.0.0' });
  hooks.retired?.('chatty@1.0.0');
  assert.equal(lines.length, PLUGIN_LOG_LIMIT.burst + 1, 'reported once');
  metrics.close();
});

test('what the host kept for a retired version goes with it', () => {
  let children = 0;
  const { logger } = bindingsLogger();
  const counting = { ...logger, child: (bindings: object) => (children++, logger.child(bindings)) };
  const metrics = new HostMetrics();
  const hooks = engineHooks(counting, metrics, () => 1_000_000);
  const keys = Array.from({ length: 50 }, (_, i) => `chatty@1.0.${i}`);
  for (const key of keys) hooks.pluginLog?.(version(key), { level: 'info', message: 'hello', time: 0 }, undefined);
  assert.equal(children, 50);
  for (const key of keys) hooks.pluginLog?.(version(key), { level: 'info', message: 'again', time: 0 }, undefined);
  assert.equal(children, 50, 'a live version keeps its logger');
  for (const key of keys) hooks.retired?.(key);
  for (const key of keys) hooks.pluginLog?.(version(key), { level: 'info', message: 'late', time: 0 }, undefined);
  assert.equal(children, 100, 'each retired version had let go of its logger');
  metrics.close();
});
