// CONTRACT §5 `expiresat`: an event not delivered by then goes to the DLQ as
// `expired`. A delivery that waits in its lane is dead-lettered at its expiry
// (within EXPIRY_BOUND_MS), not when the lane next looks at it: its plugin
// disabled, its lane full, paused by the rate limit or an open circuit. One
// whose batch is running is not touched, and nothing fires after stop().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { EXPIRES_IN_MS, EXPIRY_BOUND_MS, expiryFixtures } from './expiry-fixture.ts';
import { failAll, latch, namedEvent, nameOf, succeed, testPlugin, until } from './sqlite-engine-fixture.ts';

const expiryFixture = expiryFixtures();

/** A plugin that records what it runs and holds each batch until `gate` opens. */
function gatedRecorder(name: string, ran: string[], gate: ReturnType<typeof latch>): ActivePlugin {
  return testPlugin(name, async (events) => {
    ran.push(...events.map(nameOf));
    await gate.promise;
    return succeed(events);
  });
}

const expiring = (name: string, at: number): PlexusEvent => namedEvent(name, { expiresat: new Date(at).toISOString() });

/** Waits for `name` to be dead-lettered and checks it was on time, and never ran. */
async function assertExpiredOnTime(expiredAt: Map<string, number>, ran: string[], name: string, deadline: number): Promise<void> {
  await until(() => expiredAt.has(name), `${name} is dead-lettered`, 3000);
  const late = (expiredAt.get(name) as number) - deadline;
  assert.ok(late <= EXPIRY_BOUND_MS, `${name} dead-lettered ${late} ms after its expiry`);
  assert.ok(!ran.includes(name), `${name} never runs`);
}

test('a disabled plugin\'s queued event is dead-lettered at its expiry', { timeout: 10_000 }, async () => {
  const { f, expiredAt } = expiryFixture();
  const ran: string[] = [];
  const gate = latch();
  const plugin = gatedRecorder('expiry-disabled', ran, gate);
  f.engine.setPlugins([plugin]);
  const deadline = Date.now() + EXPIRES_IN_MS;
  await f.engine.accept([namedEvent('blocker'), expiring('late', deadline)]);
  await until(() => ran.includes('blocker'), 'the blocker runs');
  f.engine.setPlugins([]);
  gate.open();
  await assertExpiredOnTime(expiredAt, ran, 'late', deadline);
  const [entry] = await f.store.listDlq({ plugin: plugin.name }, { limit: 10 });
  assert.equal(entry?.reason, 'expired');
  assert.equal(f.engine.laneStates()[0]?.queued, 0, 'no longer held in memory');
});

test('an event behind a full lane is dead-lettered at its expiry', { timeout: 10_000 }, async () => {
  const { f, expiredAt } = expiryFixture();
  const ran: string[] = [];
  const gate = latch();
  f.engine.setPlugins([gatedRecorder('expiry-full', ran, gate)]);
  const deadline = Date.now() + EXPIRES_IN_MS;
  await f.engine.accept([namedEvent('blocker'), namedEvent('first'), expiring('late', deadline)]);
  await assertExpiredOnTime(expiredAt, ran, 'late', deadline);
  gate.open();
  await f.engine.idle();
  assert.deepEqual(ran, ['blocker', 'first']);
});

test('an event behind a rate-limited lane is dead-lettered at its expiry', { timeout: 10_000 }, async () => {
  const { f, expiredAt } = expiryFixture();
  const ran: string[] = [];
  // One event's tokens (3, priority 4) now, the next ones after 30 s.
  const plugin: ActivePlugin = testPlugin('expiry-rate', async (events) => (ran.push(...events.map(nameOf)), succeed(events)), { rateLimit: { ratePerSecond: 0.1, burst: 3 } });
  f.engine.setPlugins([plugin]);
  const deadline = Date.now() + EXPIRES_IN_MS;
  await f.engine.accept([namedEvent('first'), expiring('late', deadline)]);
  await assertExpiredOnTime(expiredAt, ran, 'late', deadline);
});

test('an event behind an open circuit is dead-lettered at its expiry', { timeout: 10_000 }, async () => {
  const { f, expiredAt } = expiryFixture();
  const ran: string[] = [];
  f.engine.setPlugins([testPlugin('expiry-circuit', async (events) => (ran.push(...events.map(nameOf)), failAll(events)), {
    breaker: { failureThreshold: 1, coolDownMs: 10_000 },
    retry: { maxRetries: 0, initialDelayMs: 50, multiplier: 1, maxDelayMs: 50 },
  })]);
  await f.engine.accept([namedEvent('opens-the-circuit')]);
  await until(() => f.engine.laneStates()[0]?.circuit === 'open', 'the circuit opens');
  const deadline = Date.now() + EXPIRES_IN_MS;
  await f.engine.accept([expiring('late', deadline)]);
  await assertExpiredOnTime(expiredAt, ran, 'late', deadline);
});

test('a delivery whose batch is running is not touched at its expiry', { timeout: 10_000 }, async () => {
  const { f, expiredAt } = expiryFixture();
  const ran: string[] = [];
  const gate = latch();
  const plugin = gatedRecorder('expiry-running', ran, gate);
  f.engine.setPlugins([plugin]);
  await f.engine.accept([expiring('running', Date.now() + 50)]);
  await until(() => ran.includes('running'), 'it runs');
  await new Promise((resolve) => setTimeout(resolve, 50 + 2 * EXPIRY_BOUND_MS));
  gate.open();
  await f.engine.idle();
  assert.equal(expiredAt.size, 0);
  assert.deepEqual(await f.store.listDlq({ plugin: plugin.name }, { limit: 10 }), []);
});

test('no expiry fires after stop()', { timeout: 10_000 }, async () => {
  const { f, expiredAt } = expiryFixture();
  const gate = latch();
  const plugin = testPlugin('expiry-stopped', async (events) => (await gate.promise, succeed(events)));
  f.engine.setPlugins([plugin]);
  await f.engine.accept([namedEvent('blocker'), expiring('late', Date.now() + 50)]);
  await f.engine.stop(0);
  gate.open();
  await new Promise((resolve) => setTimeout(resolve, 50 + 2 * EXPIRY_BOUND_MS));
  assert.equal(expiredAt.size, 0);
  assert.deepEqual(await f.store.listDlq({ plugin: plugin.name }, { limit: 10 }), []);
});
