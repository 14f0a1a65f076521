// Calls that wait for one of their instance's open kv or fetch slots hold
// their request text in the worker, outside memoryMb. The count caps alone
// let 1,024 fetches of up to 1 MiB and 4,096 kv calls (their arguments are
// checked only when they start) wait per instance: a GiB or more. Across
// both kinds, what waits holds at most MAX_WAITING_HOST_CALL_UNITS of text;
// a call that would wait beyond it is refused with PLEXUS_RATE_LIMITED, and
// the room comes back as waiting calls start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { HostCallGate, MAX_OPEN_HOST_CALLS, MAX_WAITING_HOST_CALL_UNITS } from '../../src/sandbox/host-call-gate.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { slowKvPool, testEvent } from './sandbox-fixture.ts';

const slow = slowKvPool();

const codeOf = (reply: string): string => (JSON.parse(reply) as { ok: boolean; error?: { code: string } }).error?.code ?? 'ok';

test('calls that would wait beyond the byte budget are refused; room comes back as the waiting calls start', { timeout: 10_000 }, async () => {
  const gate = new HostCallGate();
  gate.attach({ inFlight: 1, dispose: () => undefined });
  const release: (() => void)[] = [];
  const held = () => new Promise<string>((resolve) => release.push(() => resolve('{"ok":true,"value":null}')));
  // Every open fetch slot taken: whatever comes next waits.
  const open = Array.from({ length: MAX_OPEN_HOST_CALLS.fetch }, () => gate.serve('fetch', held, 10));
  const quarter = MAX_WAITING_HOST_CALL_UNITS / 4;
  const waiting = Array.from({ length: 4 }, () => gate.serve('fetch', held, quarter));
  // The budget is shared by both kinds, and counts only calls that wait: a kv call that gets a slot at once holds none of it.
  assert.equal(await gate.serve('kv', async () => '{"ok":true,"value":1}', MAX_WAITING_HOST_CALL_UNITS), '{"ok":true,"value":1}');
  assert.equal(codeOf(await gate.serve('fetch', held, 1)), 'PLEXUS_RATE_LIMITED');
  // One waiting call starts: its share of the budget is free again.
  release.shift()?.();
  await open[0];
  await new Promise((resolve) => setImmediate(resolve));
  const again = gate.serve('fetch', held, quarter);
  assert.equal(codeOf(await gate.serve('fetch', held, 1)), 'PLEXUS_RATE_LIMITED', 'full again');
  // Closed, every call still waiting or open ends as the instance's are: none reaches the plugin.
  gate.close();
  for (const end of release.splice(0)) end();
  assert.deepEqual((await Promise.all([...open, ...waiting, again])).map(codeOf).slice(1), Array(MAX_OPEN_HOST_CALLS.fetch - 1 + 5).fill('PLEXUS_UNAVAILABLE'));
});

test('a plugin flooding kv.set with large values past the open slots gets PLEXUS_RATE_LIMITED for what would wait beyond the budget', { timeout: 60_000 }, async () => {
  const spec = (await loadPlugin(await writePlugin({
    name: 'kv-byte-flood',
    capabilities: { kv: true },
    limits: { memoryMb: 512, timeoutMs: 20_000 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(e, ctx) {
  const slow = Array.from({ length: ${MAX_OPEN_HOST_CALLS.kv} }, () => ctx.kv.get('d:1000'));
  const value = 'v'.repeat(60000);
  const sets = Array.from({ length: 1500 }, () => ctx.kv.set('d:0', value).then(() => 'ok', (err) => err.code));
  const codes = await Promise.all(sets);
  await Promise.all(slow);
  const counts = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  ctx.log.info('codes', counts);
} });`,
  }, slow.dir), { grants: ['kv'], secrets: {}, ceiling: { memoryMb: 512, timeoutMs: 30_000 } })).spec;
  const result = await slow.pool.run(spec, [testEvent({})]);
  assert.equal(result.outcomes[0]?.ok, true, JSON.stringify(result.outcomes[0]));
  const counts = result.outcomes[0]?.logs[0]?.fields as Record<string, number>;
  // Each waiting set holds ~60,000 characters of arguments: about 1,100 fit in the budget.
  const fit = Math.floor(MAX_WAITING_HOST_CALL_UNITS / 60_030);
  assert.ok(counts.PLEXUS_RATE_LIMITED !== undefined && counts.PLEXUS_RATE_LIMITED >= 1500 - fit - 5 && counts.PLEXUS_RATE_LIMITED <= 1500 - fit + 5, JSON.stringify(counts));
  assert.equal(counts.PLEXUS_RATE_LIMITED + (counts.ok ?? 0), 1500, JSON.stringify(counts));
  assert.equal(slow.pool.crashes, 0);
});
