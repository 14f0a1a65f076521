// A half-open circuit admits one trial batch and no other until that trial
// reports. A batch can end with no outcome at all: its run rejects (the
// sandbox process died while starting, PLEXUS_UNAVAILABLE) and its deliveries
// are tried again shortly. That trial must still answer the circuit, or the
// plugin gets no batch ever again: its deliveries wait forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { failAll, namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin, until } from './sqlite-engine-fixture.ts';

test('a half-open trial whose run rejects leaves the circuit able to admit the next trial', { timeout: 10_000 }, async () => {
  const fx = new SqliteEngineFixture();
  const runs: string[] = [];
  const delivered: string[] = [];
  fx.engine.setPlugins([testPlugin('flaky', async (events: readonly PlexusEvent[]) => {
    runs.push(events.map(nameOf).join());
    // 1: fails (the circuit opens); 2: the half-open trial, which never runs; then the plugin is fine.
    if (runs.length === 1) return failAll(events);
    if (runs.length === 2) throw new Error('the sandbox process exited while starting');
    delivered.push(...events.map(nameOf));
    return succeed(events);
  }, { breaker: { failureThreshold: 1, coolDownMs: 50 } })]);
  try {
    await fx.engine.accept([namedEvent('a')]);
    await until(() => delivered.includes('a'), 'event a is delivered once the plugin recovers', 5000);
    assert.deepEqual(runs, ['a', 'a', 'a']);
    await fx.engine.idle();
    assert.deepEqual(fx.engine.laneStates().map((l) => l.circuit), ['closed']);
  } finally {
    await fx.close();
  }
});
