// What the worker copies into an isolate, sized by the plugin or by an event
// sender, must fail at most that call, batch or instance, never the sandbox
// process. isolated-vm copies an async host call's answer into the isolate
// in a task where a copy past memoryLimit throws a C++ error nothing catches:
// a 5 MiB fetch body of 0xff (5M U+FFFD, 10 MB) into an 8 MB isolate aborted
// the process (SIGABRT), and every plugin in it was charged
// PLEXUS_SANDBOX_CRASHED. Batches, config and secrets are copied in by calls
// isolated-vm guards: there the isolate ends for memory, and the process lives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { AnswerHandoff, INLINE_ANSWER_UNITS } from '../../src/sandbox/answer-handoff.ts';
import type { RunResult } from '../../src/sandbox/protocol.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { poolWithServer, testEvent } from './sandbox-fixture.ts';

const MB = 1024 * 1024;
const sandbox = poolWithServer(
  'plexus-too-big-',
  // kv key `x:<n>`: a stored JSON string of n "x".
  { threads: 1, kv: async (_plugin, _op, args) => JSON.stringify('x'.repeat(Number(String(args[0]).split(':')[1]))) },
  // `/ff/<n>`: n bytes of 0xff, each decoded to U+FFFD (2 bytes in the isolate).
  (req, res) => res.end(Buffer.alloc(Number(/^\/ff\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0), 0xff)),
);

/** Holds about `mb` MB of the isolate's heap for the rest of the event. */
const fill = (mb: number) => `const held = []; for (let i = 0; i < ${Math.round(mb * 12.5)}; i++) held.push(new Array(10000).fill(i));`;

async function plugin(name: string, execute: string, memoryMb = 8) {
  const source = `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute(e, ctx) { ${execute} } });`;
  const root = await writePlugin({ name, capabilities: { http: { hosts: [sandbox.host] }, kv: true, secrets: ['BIG'] }, limits: { memoryMb, timeoutMs: 10_000 }, source }, sandbox.dir);
  return (await loadPlugin(root, { grants: [`http:${sandbox.host}`, 'kv', 'secrets:BIG'], secrets: { BIG: 'b' }, ceiling: { memoryMb: 128, timeoutMs: 30_000 } })).spec;
}

const codes = (result: RunResult) => result.outcomes.map((o) => (o.ok ? 'ok' : o.error.code));

test('a fetch answer that could never fit is refused to the plugin, which catches it and keeps its instance', { timeout: 30_000 }, async () => {
  const spec = await plugin('huge-fetch', `
    try { await ctx.fetch('http://${sandbox.host}/ff/${5 * MB}'); ctx.log.info('got it'); }
    catch (err) { ctx.log.info('refused', { code: err.code }); }`);
  const crashes = sandbox.pool.crashes;
  const result = await sandbox.pool.run(spec, [testEvent({})]);
  assert.equal(sandbox.pool.crashes, crashes, 'the sandbox process never died');
  assert.deepEqual(codes(result), ['ok']);
  assert.deepEqual(result.outcomes[0]?.logs[0]?.fields, { code: 'PLEXUS_OUT_OF_MEMORY' });
  assert.deepEqual(result.restarts, [], 'the instance lives on');
});

test('a fetch or kv answer that fits the limit but not what the plugin holds ends only its instance, for memory', { timeout: 60_000 }, async () => {
  for (const [name, call] of [['full-fetch', `await ctx.fetch('http://${sandbox.host}/ff/${2.5 * MB}')`], ['full-kv', `await ctx.kv.get('x:${3 * MB}')`]] as const) {
    const spec = await plugin(name, `${fill(4.8)} ${call}; ctx.log.info('held', { n: held.length });`);
    const crashes = sandbox.pool.crashes;
    const result = await sandbox.pool.run(spec, [testEvent({})]);
    assert.equal(sandbox.pool.crashes, crashes, `${name}: the sandbox process never died`);
    assert.deepEqual(codes(result), ['PLEXUS_OUT_OF_MEMORY'], name);
    assert.deepEqual(result.restarts.map((r) => r.cause), ['oom'], name);
  }
});

test('long answers that fit reach the plugin whole', { timeout: 30_000 }, async () => {
  const spec = await plugin('long-answers', `
    const text = await (await ctx.fetch('http://${sandbox.host}/ff/${MB}')).text();
    const value = await ctx.kv.get('x:${2 * MB}');
    const short = await ctx.kv.get('x:3');
    ctx.log.info('got', { text: text.length, fffd: text === '\\ufffd'.repeat(${MB}), value: value.length, xs: value === 'x'.repeat(${2 * MB}), short });`);
  const result = await sandbox.pool.run(spec, [testEvent({})]);
  assert.deepEqual(codes(result), ['ok']);
  assert.deepEqual(result.outcomes[0]?.logs[0]?.fields, { text: MB, fffd: true, value: 2 * MB, xs: true, short: 'xxx' });
});

test('a batch too big for the isolate runs in parts: no event is charged and no instance ends', { timeout: 60_000 }, async () => {
  const spec = await plugin('big-batch', `ctx.log.info('len', { n: e.data.length });`);
  const crashes = sandbox.pool.crashes;
  const result = await sandbox.pool.run(spec, Array.from({ length: 16 }, () => testEvent('\ufffd'.repeat(MB))));
  assert.equal(sandbox.pool.crashes, crashes);
  assert.deepEqual(codes(result), Array(16).fill('ok'));
  assert.deepEqual(result.outcomes.map((o) => o.logs[0]?.fields), Array(16).fill({ n: MB }), 'in order, each event its own');
  assert.deepEqual(result.restarts, []);
  // An event too big alone is charged alone, for memory.
  const mixed = await sandbox.pool.run(spec, [testEvent('a'), testEvent('\ufffd'.repeat(5 * MB)), testEvent('b')]);
  assert.deepEqual(codes(mixed), ['ok', 'PLEXUS_OUT_OF_MEMORY', 'ok']);
  assert.equal(sandbox.pool.crashes, crashes);
});

test('config and secrets too big for the isolate fail its start, not the process', { timeout: 30_000 }, async () => {
  const crashes = sandbox.pool.crashes;
  for (const grow of ['config', 'secrets'] as const) {
    const spec = await plugin(`big-${grow}`, '');
    if (grow === 'config') spec.config = { big: '\ufffd'.repeat(5 * MB) };
    else spec.secrets = { BIG: '\ufffd'.repeat(5 * MB) };
    const result = await sandbox.pool.run(spec, [testEvent({})]);
    assert.deepEqual(codes(result), ['PLEXUS_PLUGIN_LOAD_FAILED'], grow);
  }
  assert.equal(sandbox.pool.crashes, crashes);
});

test('the handoff answers short texts as they are, long ones by number once, and refuses what cannot fit', () => {
  const handoff = new AnswerHandoff(8);
  const short = 'x'.repeat(INLINE_ANSWER_UNITS - 1);
  assert.equal(handoff.hand(short), short);
  const long = 'y'.repeat(6 * MB); // one byte a unit: 6 MB of 8
  const id = handoff.hand(long);
  assert.equal(typeof id, 'number');
  assert.equal(handoff.take(id as number), long);
  assert.equal(JSON.parse(handoff.take(id as number)).error.code, 'PLEXUS_INTERNAL', 'taken once');
  const wide = '\ufffd'.repeat(3.5 * MB); // 7 MB at two bytes a unit
  assert.equal(JSON.parse(handoff.hand(wide) as string).error.code, 'PLEXUS_OUT_OF_MEMORY');
  handoff.hand(long);
  assert.equal(handoff.size, 1);
  handoff.clear();
  assert.equal(handoff.size, 0);
});
