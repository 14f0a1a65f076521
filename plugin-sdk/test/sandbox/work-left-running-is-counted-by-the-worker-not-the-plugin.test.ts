// Whether an instance left kv or fetch work running after its batch is
// decided by the worker, from the calls that reached it: never from the
// batch's result, which the isolate writes and plugin code can rewrite (here
// through Object.prototype.toJSON, to report no calls open). The work left
// behind here is a loop in the answer's continuation: if it ever ran outside
// a call into the isolate, it would hold the isolate with no time limit, the
// worker's next sync call into it would block, and the sandbox process would
// be ended (SIGABRT), charging every plugin that had a batch in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import type { RunResult } from '../../src/sandbox/protocol.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { slowKvPool, testEvent } from './sandbox-fixture.ts';

const slow = slowKvPool();
const options = { grants: ['kv'], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } };
/** Rewrites the batch result's count of open calls to 0, whatever the runner counted. */
const LIE = "Object.prototype.toJSON = function () { if (Object.hasOwn(this, 'hostCallsOpen')) { const c = { ...this }; c.hostCallsOpen = 0; return c; } return this; };";

async function liar(name: string, execute: string) {
  const source = `import { definePlugin } from '@plexus/plugin-sdk';\n${LIE}\nexport default definePlugin({ async execute(e, ctx) { ${execute} } });`;
  return (await loadPlugin(await writePlugin({ name, capabilities: { kv: true }, limits: { timeoutMs: 500 }, source }, slow.dir), options)).spec;
}

async function good() {
  return (await loadPlugin(await writePlugin({ name: 'good', source: "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });" }, slow.dir), options)).spec;
}

const causes = (...results: RunResult[]) => results.flatMap((r) => r.restarts.map((x) => x.cause));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a plugin that hides a call it left running is replaced all the same, and the sandbox never dies', { timeout: 30_000 }, async () => {
  // Its first batch runs as a sync call, whose calls reach the worker only after it returned.
  const spec = await liar('hides-after-sync', "if (e.data.arm) ctx.kv.get('d:100').then(() => { while (true) {} });");
  const other = await good();
  const armed = await slow.pool.run(spec, [testEvent({ arm: true })]);
  assert.equal(armed.outcomes[0]?.ok, true, 'the batch itself succeeded');
  await pause(400); // past the moment the kv answer would have arrived
  const started = performance.now();
  const [next, beside] = await Promise.all([slow.pool.run(spec, [testEvent({})]), slow.pool.run(other, [testEvent({})])]);
  assert.deepEqual([...causes(armed, next), ...slow.lateCauses(spec.key)], ['detached'], 'replaced for the work it left, reported once');
  assert.equal(next.outcomes[0]?.ok, true, 'a fresh instance serves the plugin');
  assert.equal(beside.outcomes[0]?.ok, true, 'another plugin is untouched');
  assert.deepEqual(causes(beside), []);
  assert.ok(performance.now() - started < 2000, 'nobody waited on a held isolate');
  assert.equal(slow.pool.crashes, 0, 'the sandbox process never died');
});

test('a plugin that hides a call left running by a batch that ran async is replaced with that batch', { timeout: 30_000 }, async () => {
  const spec = await liar('hides-after-async', "if (e.data.arm) { await ctx.kv.get('d:10'); ctx.kv.get('d:100').then(() => { while (true) {} }); }");
  const armed = await slow.pool.run(spec, [testEvent({ arm: true })]);
  assert.equal(armed.outcomes[0]?.ok, true);
  assert.deepEqual(causes(armed), ['detached'], 'counted by the worker while the batch ran');
  await pause(400);
  const next = await slow.pool.run(spec, [testEvent({})]);
  assert.equal(next.outcomes[0]?.ok, true);
  assert.equal(slow.pool.crashes, 0);
});

// The awaited answer and the left one come back together; the first one's
// continuation keeps the isolate busy 20 ms before its batch ends, so the
// second is answered before that end reaches the worker (nothing looks open
// any more) and runs in the isolate after it.
const RACE = "if (e.data.warm) { await ctx.kv.get('d:1'); return; } if (!e.data.arm) return; const a = ctx.kv.get('d:30'); ctx.kv.get('d:30').then(() => { while (true) {} }); await a; const t = Date.now(); while (Date.now() - t < 20) {}";

test('an answer that lands as its batch ends never meets a sync call: the plugin is charged, the sandbox lives', { timeout: 60_000 }, async () => {
  const spec = await liar('racer', RACE);
  const other = await good();
  for (let round = 0; round < 3; round++) {
    // A batch that waited sends its instance async for two batches: the one after the armed batch is a sync probe.
    await slow.pool.run(spec, [testEvent({ warm: true })]);
    await slow.pool.run(spec, [testEvent({ warm: true })]);
    const armed = await slow.pool.run(spec, [testEvent({ arm: true })]);
    assert.equal(armed.outcomes[0]?.ok, true);
    const [next, beside] = await Promise.all([slow.pool.run(spec, [testEvent({})]), slow.pool.run(other, [testEvent({})])]);
    assert.equal(beside.outcomes[0]?.ok, true, 'another plugin is untouched');
    assert.deepEqual(causes(beside), []);
    if (causes(armed).length === 0) {
      const outcome = next.outcomes[0];
      assert.equal(outcome?.ok === false ? outcome.error.code : 'ok', 'PLEXUS_TIMEOUT', 'the loop is charged to the plugin that left it');
    }
  }
  assert.equal(slow.pool.crashes, 0, 'the sandbox process never died');
});

test('such a loop is ended within two time limits even if no call into the instance comes', { timeout: 60_000 }, async () => {
  const spec = await liar('racer-left-alone', RACE);
  for (let round = 0; round < 3; round++) {
    await slow.pool.run(spec, [testEvent({ warm: true })]);
    await slow.pool.run(spec, [testEvent({ warm: true })]);
    const armed = await slow.pool.run(spec, [testEvent({ arm: true })]);
    assert.equal(armed.outcomes[0]?.ok, true);
    await pause(1500); // timeoutMs 500: the confirming call's own limit ends by ~1050 ms
    const started = performance.now();
    const next = await slow.pool.run(spec, [testEvent({})]);
    assert.equal(next.outcomes[0]?.ok, true, 'a fresh instance serves the plugin');
    assert.ok(performance.now() - started < 400, 'no loop held the instance');
    assert.deepEqual([...causes(armed, next), ...slow.lateCauses(spec.key)], ['detached']);
  }
  assert.equal(slow.pool.crashes, 0);
});
