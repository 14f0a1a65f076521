// A batch too big for its instance's memory runs in parts (runInParts in
// worker-runtime.ts): each event is parsed and written again as JSON. The
// plugin must see the same strings as in a batch run whole (a lone surrogate
// written as UTF-8 somewhere on the way becomes U+FFFD), and when one part's
// instance ends (time limit, memory) and is replaced before the next part,
// every event of the batch still gets exactly one outcome, its own, in order.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import type { RunResult } from '../../src/sandbox/protocol.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { testEvent } from './sandbox-fixture.ts';

let pool: SandboxPool;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-parts-'));
  pool = await SandboxPool.start({ threads: 1 });
});

after(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

const source = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(e, ctx) {
  if (e.data.hang) while (true);
  if (e.data.grow) { const held = []; while (true) held.push(new Array(100000).fill(held.length)); }
  const s = e.data.s;
  const units = [];
  for (let k = 0; k < 4; k++) units.push(s.charCodeAt(k), s.charCodeAt(s.length - 1 - k));
  ctx.log.info('seen', { i: e.data.i, len: s.length, units, fffd: s.includes('\\ufffd') });
} });`;

async function plugin(name: string, memoryMb: number) {
  const root = await writePlugin({ name, capabilities: {}, limits: { memoryMb, timeoutMs: 1000 }, source }, dir);
  return (await loadPlugin(root, { grants: [], secrets: {}, ceiling: { memoryMb: 256, timeoutMs: 30_000 } })).spec;
}

// Lone high and low surrogates at both ends, a pair beside them, ~300,000 units: three events fill a part at 8 MB.
const text = (i: number) => `\ud800\udc00\udbff${'a'.repeat(300_000 + i)}\udfff\ud83d\ude00\ud83d`;
const expected = (i: number) => {
  const s = text(i);
  const units: number[] = [];
  for (let k = 0; k < 4; k++) units.push(s.charCodeAt(k), s.charCodeAt(s.length - 1 - k));
  return { i, len: s.length, units, fffd: false };
};
const seen = (result: RunResult) => result.outcomes.map((o) => (o.ok ? o.logs[0]?.fields : o.error.code));

test('events with lone surrogates reach the plugin unchanged whether their batch runs whole or in parts', { timeout: 60_000 }, async () => {
  const events = Array.from({ length: 8 }, (_, i) => testEvent({ i, s: text(i) }));
  const whole = await pool.run(await plugin('parts-whole', 128), events);
  const parts = await pool.run(await plugin('parts-split', 8), events);
  const want = Array.from({ length: 8 }, (_, i) => expected(i));
  assert.deepEqual(seen(whole), want, 'run whole');
  assert.deepEqual(seen(parts), want, 'run in parts');
  assert.deepEqual(parts.restarts, [], 'no part ended its instance');
});

test('a part whose instance times out or runs out of memory is settled event by event; the other parts keep their outcomes', { timeout: 60_000 }, async () => {
  const events = Array.from({ length: 9 }, (_, i) => testEvent({ i, s: text(i), hang: i === 4, grow: i === 7 }));
  const result = await pool.run(await plugin('parts-faults', 8), events);
  const want: unknown[] = Array.from({ length: 9 }, (_, i) => expected(i));
  want[4] = 'PLEXUS_TIMEOUT';
  want[7] = 'PLEXUS_OUT_OF_MEMORY';
  assert.deepEqual(seen(result), want, 'one outcome per event, its own, in order');
  // Each faulty part's instance, then the faulty event's own re-run, ended for the fault.
  assert.deepEqual(result.restarts.map((r) => r.cause).sort(), ['oom', 'oom', 'timeout', 'timeout']);
  assert.equal(pool.crashes, 0);
});
