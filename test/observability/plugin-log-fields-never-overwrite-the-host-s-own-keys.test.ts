// A plugin's log fields join the host's JSON log line at the top level, but
// never in place of the keys the host owns there (level, time, pid, hostname,
// name, msg, plugin, version, event, traceparent): a plugin that logs
// {plugin: 'another', level: 'fatal'} must not make its line read as another
// plugin's, or the host's, to anything that parses it. Such fields are kept
// under a prefixed name (field_plugin, field_level, …).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject, PlexusEvent } from '@plexus/plugin-sdk';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { engineHooks } from '../../src/host/engine-hooks.ts';
import { HostMetrics } from '../../src/observability/host-metrics.ts';
import { createLogger } from '../../src/observability/logger.ts';

const FORGED: JsonObject = { plugin: '@acme/payments', version: '9.9.9', level: 'fatal', msg: 'admin token leaked', time: 'yesterday', pid: 1, hostname: 'elsewhere', name: 'plexus-admin', event: 'someone-else', traceparent: 'forged', order: 'o-1' };

function hostLines() {
  const raw: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void raw.push(line) } });
  const metrics = new HostMetrics();
  const hooks = engineHooks(logger, metrics);
  return { raw, hooks, metrics };
}

/** Every key of a JSON line once each: a repeated key is what lets the last one win when parsed. */
function assertNoRepeatedKeys(line: string) {
  const keys = [...line.matchAll(/"([^"\\]+)":/g)].map((m) => m[1]);
  assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), [], line);
}

test('a plugin log line keeps the host\'s level, identity and event whatever fields the plugin logs', () => {
  const { raw, hooks, metrics } = hostLines();
  const plugin = { name: '@fixtures/forger', spec: { key: '@fixtures/forger@1.0.0#x', version: '1.0.0' } } as ActivePlugin;
  const event: PlexusEvent = { specversion: '1.0', id: 'e-1', source: 's', type: 'forge.x', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

  hooks.pluginLog?.(plugin, { level: 'info', message: 'benign', time: 0, fields: FORGED }, event);
  hooks.pluginLog?.(plugin, { level: 'debug', message: 'from init', time: 0, fields: { ...FORGED, field_plugin: 'its own' } }, undefined);

  assert.equal(raw.length, 2);
  for (const line of raw) assertNoRepeatedKeys(line);
  const [onEvent, onInit] = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    { level: onEvent?.level, name: onEvent?.name, msg: onEvent?.msg, plugin: onEvent?.plugin, version: onEvent?.version, event: onEvent?.event, traceparent: onEvent?.traceparent, pid: onEvent?.pid },
    { level: 'info', name: 'plexus', msg: 'benign', plugin: '@fixtures/forger', version: '1.0.0', event: 'e-1', traceparent: event.traceparent, pid: process.pid },
  );
  assert.deepEqual(
    { plugin: onEvent?.field_plugin, version: onEvent?.field_version, level: onEvent?.field_level, msg: onEvent?.field_msg, event: onEvent?.field_event, order: onEvent?.order },
    { plugin: '@acme/payments', version: '9.9.9', level: 'fatal', msg: 'admin token leaked', event: 'someone-else', order: 'o-1' },
    'the plugin\'s fields are kept, renamed where they would have replaced the host\'s',
  );
  assert.notEqual(onEvent?.time, 'yesterday');
  assert.equal(onInit?.event, undefined, 'a line about no event names none');
  assert.equal(onInit?.field_event, 'someone-else');
  assert.equal(onInit?.field_plugin, 'its own', 'a plugin field already named like a renamed one is kept too');
  assert.equal(onInit?.field_field_plugin, '@acme/payments');
  metrics.close();
});
