// A long kv or fetch answer is handed to its isolate by number and taken
// with a sync call (answer-handoff.ts); the worker holds it until then. Plugin
// code must not be able to come between the number and its take: an `await`
// on a native promise reads its `constructor`, and one that is not %Promise%
// hands the promise to `then`, which plugin code can define. A plugin that
// diverted the numbers and never took them held every such answer in the
// worker, outside memoryMb, for as long as its instance lived (hundreds of
// MB in one batch, kept across batches), and could take them later.
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
  dir = await mkdtemp(join(tmpdir(), 'plexus-divert-'));
  // kv key `x:<n>`: a stored JSON string of n "x".
  pool = await SandboxPool.start({ threads: 1, kv: async (_plugin, _op, args) => JSON.stringify('x'.repeat(Number(String(args[0]).split(':')[1]))) });
});

after(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

async function plugin(name: string, module: string, execute: string) {
  const source = `import { definePlugin } from '@plexus/plugin-sdk';\n${module}\nexport default definePlugin({ async execute(e, ctx) { ${execute} } });`;
  const root = await writePlugin({ name, capabilities: { kv: true }, limits: { memoryMb: 16, timeoutMs: 10_000 }, source }, dir);
  return (await loadPlugin(root, { grants: ['kv'], ceiling: { memoryMb: 128, timeoutMs: 30_000 } })).spec;
}

const fields = (result: RunResult) => {
  const outcome = result.outcomes[0];
  assert.ok(outcome?.ok, `the probe finished: ${JSON.stringify(outcome)}`);
  return outcome.logs[0]?.fields as Record<string, unknown>;
};

// Arms `constructor` for the next await only, and diverts the numbers `then` is handed.
const DIVERT = `
const nativeThen = Promise.prototype.then;
let armed = false;
let divert = false;
const stolen = [];
const held = [];
let patched = 'yes';
try {
  Object.defineProperty(Promise.prototype, 'constructor', { configurable: true, get() { if (armed) { armed = false; return Object; } return Promise; } });
} catch (err) { patched = String(err); }
try {
  Promise.prototype.then = function (ok, bad) {
    return nativeThen.call(this, (v) => { if (divert && typeof v === 'number') { stolen.push({ v, ok }); return undefined; } return typeof ok === 'function' ? ok(v) : v; }, bad);
  };
} catch (err) { patched += '; ' + String(err); }`;

test('plugin code cannot divert a long answer\'s number, nor take it in a later batch', { timeout: 60_000 }, async () => {
  const spec = await plugin('divert', DIVERT, `
    if (e.data.step === 'steal') {
      divert = true;
      for (let i = 0; i < 20; i++) { armed = true; held.push(ctx.kv.get('x:100000').then((v) => v, (err) => 'error ' + err.code)); armed = false; }
      // Short answers cross inline: these only wait for the long ones to have arrived.
      for (let i = 0; i < 200 && stolen.length < 20; i++) await ctx.kv.get('x:1');
      divert = false;
      ctx.log.info('stole', { patched, stolen: stolen.length });
    } else {
      for (const { v, ok } of stolen.splice(0)) ok(v);
      const got = await Promise.all(held.splice(0));
      ctx.log.info('replayed', { got: got.map((v) => typeof v === 'string' && v.startsWith('error') ? v : typeof v) });
    }`);
  const steal = fields(await pool.run(spec, [testEvent({ step: 'steal' })]));
  const replay = await pool.run(spec, [testEvent({ step: 'replay' })]);
  const got = (fields(replay).got as string[]) ?? [];
  assert.equal(steal.stolen, 0, `no answer number reached plugin code (${JSON.stringify(steal)}; a later batch took: ${JSON.stringify(got.slice(0, 3))})`);
  assert.deepEqual(got, Array(20).fill('string'), 'every call got its own answer in its own batch');
});

// A throwing species (or constructor) made the native `then` the answer's
// resolution calls throw before it registered: the call failed with the
// plugin's own error and the number was never taken, so its text stayed in
// the worker for the instance's life.
test('a patched Promise species or constructor cannot make a long answer go untaken', { timeout: 60_000 }, async () => {
  const spec = await plugin('species', `
const tried = [];
let armed = false;
for (const [target, key, value] of [[Promise, Symbol.species, Promise], [Promise.prototype, 'constructor', Promise]]) {
  try { Object.defineProperty(target, key, { configurable: true, get() { if (armed) throw new Error('plugin says no'); return value; } }); tried.push('patched'); }
  catch { tried.push('refused'); }
}`, `
    const got = [];
    for (let i = 0; i < 5; i++) {
      armed = true;
      const call = ctx.kv.get('x:100000');
      armed = false;
      try { got.push((await call).length); }
      catch (err) { got.push(String(err.message)); }
    }
    ctx.log.info('got', { got, tried });`);
  const { got, tried } = fields(await pool.run(spec, [testEvent({})]));
  assert.deepEqual(got, Array(5).fill(100000), `every call answered its value (plugin's patches: ${JSON.stringify(tried)})`);
});
