// The engine's in-memory waits (a partial batch's linger, a rate limit's
// pause, an open circuit's cool-down) are measured on a clock that never goes
// backwards. Measured on the wall clock, a step back of one hour (NTP, a VM
// resumed) stretched each of them by that hour: a partial batch that arrived
// before the step was held for 3,600,002 ms, and a plugin under low traffic
// got nothing for an hour. A retry time is stored as a wall-clock time, but
// the wait for it, once scheduled, runs on that clock too: a retry due in
// 300 ms waited an hour more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { CircuitBreaker, type CircuitPermit } from '../../src/delivery/circuit-breaker.ts';
import { failAll, latch, namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin, until } from './sqlite-engine-fixture.ts';

const HOUR_MS = 3_600_000;

/** A wall clock that follows real time until stepBack() moves it an hour into the past. */
function steppableWallClock(): { now: () => number; stepBack: () => void } {
  let offset = 0;
  return { now: () => Date.now() + offset, stepBack: () => void (offset -= HOUR_MS) };
}

/** Milliseconds since `start` on the real (monotonic) clock. */
const since = (start: number): number => performance.now() - start;

test('a partial batch that arrived before the wall clock stepped back goes within its lingerMs', { timeout: 10_000 }, async () => {
  const wall = steppableWallClock();
  const fx = new SqliteEngineFixture({ now: wall.now, monotonic: () => performance.now() });
  const first = latch();
  const runs: string[][] = [];
  fx.engine.setPlugins([testPlugin('p', async (events: readonly PlexusEvent[]) => {
    runs.push(events.map(nameOf));
    if (runs.length === 1) await first.promise;
    return succeed(events);
  }, { batchSize: 10, lingerMs: 50 })]);
  try {
    // A lone event goes at once; the next one, arriving while it runs, is a partial batch that may linger.
    await fx.engine.accept([namedEvent('lone')]);
    await until(() => runs.length === 1, 'the first batch runs');
    await fx.engine.accept([namedEvent('partial')]);
    wall.stepBack();
    const released = performance.now();
    first.open();
    await until(() => runs.length === 2, 'the partial batch is delivered', 2000);
    assert.deepEqual(runs[1], ['partial']);
    assert.ok(since(released) < 1000, `the partial batch waited ${Math.round(since(released))} ms`);
  } finally {
    await fx.close();
  }
});

test('a rate-limited lane resumes within its refill time after the wall clock stepped back', { timeout: 10_000 }, async () => {
  const wall = steppableWallClock();
  let limitedAt = 0;
  const runs: string[][] = [];
  const fx = new SqliteEngineFixture({
    now: wall.now,
    monotonic: () => performance.now(),
    hooks: {
      // The moment the limit pauses the lane, the wall clock steps back.
      rateLimited: () => {
        if (limitedAt !== 0) return;
        limitedAt = performance.now();
        wall.stepBack();
      },
    },
  });
  // One token, refilled in 100 ms: the second event waits for it.
  fx.engine.setPlugins([testPlugin('p', async (events: readonly PlexusEvent[]) => {
    runs.push(events.map(nameOf));
    return succeed(events);
  }, { concurrency: 2, rateLimit: { ratePerSecond: 10, burst: 1 } })]);
  try {
    await fx.engine.accept([namedEvent('a'), namedEvent('b')]);
    await until(() => runs.length === 2, 'the rate-limited delivery runs', 2000);
    assert.ok(limitedAt !== 0, 'the rate limit held the second delivery back');
    assert.ok(since(limitedAt) < 1000, `the rate-limited delivery waited ${Math.round(since(limitedAt))} ms`);
  } finally {
    await fx.close();
  }
});

test('an open circuit admits its trial after its cool-down, not an hour later, when the wall clock stepped back', { timeout: 10_000 }, async () => {
  const wall = steppableWallClock();
  let openedAt = 0;
  const fx = new SqliteEngineFixture({
    now: wall.now,
    monotonic: () => performance.now(),
    hooks: { outcome: () => void (openedAt ||= performance.now()) },
  });
  const runs: string[][] = [];
  fx.engine.setPlugins([testPlugin('p', async (events: readonly PlexusEvent[]) => {
    runs.push(events.map(nameOf));
    return runs.length === 1 ? failAll(events) : succeed(events);
  }, { breaker: { failureThreshold: 1, coolDownMs: 200 } })]);
  try {
    await fx.engine.accept([namedEvent('fails')]);
    await until(() => fx.engine.laneStates()[0]?.circuit === 'open', 'the circuit opens');
    wall.stepBack();
    await fx.engine.accept([namedEvent('trial')]);
    // The trial batch is the failed delivery's retry (due within the cool-down) or the new event, whichever is first.
    await until(() => runs.length >= 2, 'the trial batch runs', 2000);
    assert.ok(since(openedAt) < 1200, `the trial ran ${Math.round(since(openedAt))} ms after the circuit opened (cool-down 200 ms)`);
  } finally {
    await fx.close();
  }
});

test('a circuit breaker fed a wall clock that stepped back waits one cool-down from the step, not the step too', () => {
  // Broker connections (src/ingress) drive their breaker with Date.now().
  const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1000 });
  const openedAt = 10 * HOUR_MS;
  breaker.onFailure(breaker.tryAcquire(openedAt) as CircuitPermit, openedAt);
  const stepped = openedAt + 100 - HOUR_MS;
  assert.deepEqual(breaker.tryAcquire(stepped), { ok: false, state: 'open', retryAfterMs: 1000 });
  assert.equal(breaker.stateAt(stepped + 999), 'open');
  assert.equal(breaker.tryAcquire(stepped + 1000).ok, true, 'the trial is admitted one cool-down after the step');
});

test('a retry waiting when the wall clock steps back runs after its backoff, not an hour later', { timeout: 10_000 }, async () => {
  const wall = steppableWallClock();
  const fx = new SqliteEngineFixture({ now: wall.now, monotonic: () => performance.now() });
  const runs: string[][] = [];
  fx.engine.setPlugins([testPlugin('p', async (events: readonly PlexusEvent[]) => {
    runs.push(events.map(nameOf));
    return runs.length === 1 ? failAll(events) : succeed(events);
  }, { retry: { maxRetries: 3, initialDelayMs: 300, multiplier: 1, maxDelayMs: 300 } })]);
  try {
    await fx.engine.accept([namedEvent('retried')]);
    // Its retry time (a wall-clock time, as stored) is set and it waits for it; then the clock steps back an hour.
    await until(() => fx.engine.depth.retrying === 1, 'the failed delivery waits for its retry');
    wall.stepBack();
    const stepped = performance.now();
    await until(() => runs.length === 2, 'the retry runs', 2000);
    assert.deepEqual(runs[1], ['retried']);
    assert.ok(since(stepped) < 1000, `the retry ran ${Math.round(since(stepped))} ms after the step (backoff 300 ms)`);
  } finally {
    await fx.close();
  }
});
