// When the sandbox process dies with several batches in flight, which one
// killed it is not known, so each is re-run one event at a time and only an
// event whose own re-run dies again is charged with the crash. A batch of one
// event is no exception unless it was alone: it may belong to another
// plugin, which did nothing wrong and must not lose an attempt to the crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { slowKvPool, testEvent } from './sandbox-fixture.ts';

const slow = slowKvPool();

test('an innocent one-event batch in flight when another plugin kills the sandbox succeeds on its re-run', { timeout: 60_000 }, async () => {
  const options = { grants: ['kv'], secrets: {}, ceiling: { memoryMb: 512, timeoutMs: 30_000 } };
  const innocent = (await loadPlugin(await writePlugin({
    name: 'innocent',
    capabilities: { kv: true },
    limits: { timeoutMs: 10_000 },
    source: "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute(e, ctx) { await ctx.kv.get('d:1500'); } });",
  }, slow.dir), options)).spec;
  const bomb = (await loadPlugin(await writePlugin({
    name: 'bomb',
    limits: { memoryMb: 64, timeoutMs: 1000 },
    source: "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute(e) { if (e.data?.bomb) Array(1e9).fill(0); } });",
  }, slow.dir), options)).spec;
  await slow.pool.warm(innocent);
  const waiting = slow.pool.run(innocent, [testEvent({})]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const [bombed, innocentResult] = await Promise.all([slow.pool.run(bomb, [testEvent({ bomb: true })]), waiting]);
  assert.equal(innocentResult.outcomes[0]?.ok, true, 'the innocent event is not charged');
  const [bombOutcome] = bombed.outcomes;
  assert.equal(bombOutcome?.ok, false, 'the event that kills the sandbox again is charged');
  assert.match(bombOutcome?.ok === false ? String(bombOutcome.error.code) : '', /PLEXUS_(SANDBOX_CRASHED|OUT_OF_MEMORY)/);
  assert.ok(slow.pool.crashes >= 1);
});
