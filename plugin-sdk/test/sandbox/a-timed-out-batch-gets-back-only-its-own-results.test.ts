// Batches of one instance run at the same time while they wait on kv or
// fetch. When one of them times out, the results collected for it must be
// its own: an event of it that never settled fails with PLEXUS_TIMEOUT, and
// it never carries the outcome (or the emitted events) of another batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { slowKvPool, testEvent } from './sandbox-fixture.ts';

const slow = slowKvPool();

const event = testEvent;

test('a batch that times out is answered with its own settled results, not those of a batch running beside it', { timeout: 30_000 }, async () => {
  const root = await writePlugin({
    name: 'own-results',
    capabilities: { kv: true, emit: ['test.out'] },
    limits: { timeoutMs: 1000 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(e, ctx) {
  if (e.data.mode === 'hang') await new Promise(() => {});
  if (e.data.mode === 'kv') { await ctx.kv.get(e.data.key); ctx.emit('test.out', { from: e.data.tag }); }
} });`,
  }, slow.dir);
  const { spec } = await loadPlugin(root, { grants: ['kv', 'emit:test.out'], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } });
  const first = slow.pool.run(spec, [event({ mode: 'hang' }), event({ mode: 'ok' })]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Started while the first waits; its first event settles (and emits) before the first batch's time runs out.
  const second = slow.pool.run(spec, [event({ mode: 'kv', key: 'd:100', tag: 'B1' }), event({ mode: 'kv', key: 'd:5000', tag: 'B2' })]);
  const [a, b] = await Promise.all([first, second]);
  const [hung, ok] = a.outcomes;
  assert.equal(hung?.ok, false, 'the event that never settled did not succeed');
  assert.equal(hung?.ok === false ? hung.error.code : undefined, 'PLEXUS_TIMEOUT');
  assert.equal(ok?.ok, true, 'its settled event kept its own success');
  assert.deepEqual(ok?.emitted ?? [], [], 'and carries nothing the other batch emitted');
  const emittedB1 = b.outcomes.flatMap((o) => o.emitted ?? []).filter((e) => JSON.stringify(e).includes('B1'));
  assert.ok(emittedB1.length <= 1, 'B1 is emitted once at most');
});
