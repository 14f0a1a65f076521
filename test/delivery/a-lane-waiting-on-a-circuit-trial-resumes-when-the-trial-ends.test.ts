// While a half-open circuit's trial batch runs, the lane's other deliveries
// wait. They waited for a timer of one cool-down instead of for the trial: a
// trial that closed the circuit in 50 ms left them idle for the rest of the
// cool-down (30 s by default), and a cool-down of 0 woke the engine every
// millisecond for as long as the trial ran. They wait for the trial's end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { CircuitPermit } from '../../src/delivery/circuit-breaker.ts';
import { PluginLane } from '../../src/delivery/plugin-lane.ts';
import { failAll, namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin, until } from './sqlite-engine-fixture.ts';

/** A lane whose circuit is half-open with its one trial batch taken, and deliveries left waiting. */
function laneInTrial(coolDownMs: number): { lane: PluginLane; trial: CircuitPermit; now: number } {
  const now = 1_000_000;
  const lane = new PluginLane(testPlugin('p', async () => succeed([]), { concurrency: 2, batchSize: 1, breaker: { failureThreshold: 1, coolDownMs } }), now);
  for (let i = 0; i < 4; i++) lane.enqueue({ record: { id: `d${i}`, seq: i, plugin: 'p', event: namedEvent(`e${i}`), attempt: 0, availableAt: 0, acceptedAt: 0 }, admitted: false }, now);
  const first = lane.take(now);
  lane.breaker.onFailure(first.permit as CircuitPermit, now);
  lane.batchEnded();
  const trial = lane.take(now + coolDownMs);
  assert.equal(trial.batch.length, 1);
  return { lane, trial: trial.permit as CircuitPermit, now: now + coolDownMs };
}

test('with a cool-down of 0, a lane waiting on the trial sets no millisecond timer', () => {
  const { lane, now } = laneInTrial(0);
  const waiting = lane.take(now);
  assert.equal(waiting.batch.length, 0);
  assert.ok(waiting.wakeAt !== undefined && waiting.wakeAt - now >= 100, `woken again after ${String((waiting.wakeAt ?? NaN) - now)} ms`);
});

test('a trial that closes the circuit lets the lane run at once, not after another cool-down', () => {
  const { lane, trial, now } = laneInTrial(30_000);
  assert.equal(lane.take(now).batch.length, 0);
  lane.breaker.onSuccess(trial, now + 50);
  lane.batchEnded();
  assert.equal(lane.take(now + 51).batch.length, 1);
});

test('the engine delivers the deliveries that waited on a successful trial right after it', { timeout: 10_000 }, async () => {
  const fx = new SqliteEngineFixture();
  const runs: { at: number; names: string[] }[] = [];
  let trialEndedAt = 0;
  fx.engine.setPlugins([testPlugin('p', async (events: readonly PlexusEvent[]) => {
    runs.push({ at: Date.now(), names: events.map(nameOf) });
    if (runs.length === 1) return failAll(events);
    if (runs.length === 2) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      trialEndedAt = Date.now();
    }
    return succeed(events);
  }, { concurrency: 2, batchSize: 1, breaker: { failureThreshold: 1, coolDownMs: 1000 } })]);
  try {
    await fx.engine.accept([namedEvent('first')]);
    await until(() => runs.length === 1, 'the first batch failed');
    await fx.engine.accept(Array.from({ length: 4 }, (_, i) => namedEvent(`later-${i}`)));
    await until(() => runs.length >= 3, 'a batch ran after the trial', 5000);
    const gap = (runs[2] as { at: number }).at - trialEndedAt;
    assert.ok(gap < 300, `the next batch waited ${gap} ms after the trial closed the circuit`);
    await fx.engine.idle();
  } finally {
    await fx.close();
  }
});
