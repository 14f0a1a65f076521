// A plugin cannot flood its worker or the host with kv and fetch calls: an
// instance has at most MAX_OPEN_HOST_CALLS of each open at once (more wait,
// up to MAX_WAITING_HOST_CALLS; one more is refused with
// PLEXUS_RATE_LIMITED), its fetches are aborted when it is disposed (their bodies are buffered in the worker, outside memoryMb), and
// calls that reach the worker after that are dropped before the host sees them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { MAX_OPEN_HOST_CALLS, MAX_WAITING_HOST_CALLS } from '../../src/sandbox/host-call-gate.ts';
import type { RunResult } from '../../src/sandbox/protocol.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { poolWithServer, testEvent } from './sandbox-fixture.ts';

/** What reached the host's kv and the HTTP server: calls in total, open now, most open at once. */
class Load {
  total = 0;
  open = 0;
  maxOpen = 0;
  readonly closedAt: number[] = [];
  start(): void {
    this.total++;
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
  }
  end(): void {
    this.open--;
    this.closedAt.push(performance.now());
  }
}

let kv = new Load();
let http = new Load();

const sandbox = poolWithServer('plexus-host-call-caps-', {
  threads: 1,
  // kv keys name how long the host takes to answer: `h:<ms>`.
  kv: async (_plugin, _op, args) => {
    kv.start();
    await new Promise((resolve) => setTimeout(resolve, Number(String(args[0]).split(':')[1])));
    kv.end();
    return null;
  },
}, (req, res) => {
  // `/hold/<ms>` answers after that long; anything else sends headers and never ends.
  http.start();
  res.on('close', () => http.end());
  const hold = /^\/hold\/(\d+)$/.exec(req.url ?? '');
  if (hold) setTimeout(() => res.end('ok'), Number(hold[1]));
  else res.writeHead(200, { 'content-type': 'text/plain' }).write('x');
});

async function plugin(name: string, execute: string, timeoutMs = 5000) {
  const source = `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute(e, ctx) { ${execute} } });`;
  const root = await writePlugin({ name, capabilities: { kv: true, http: { hosts: [sandbox.host] } }, limits: { timeoutMs }, source }, sandbox.dir);
  return (await loadPlugin(root, { grants: ['kv', `http:${sandbox.host}`], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } })).spec;
}

/** Starts `count` calls at once, awaits them all, and logs how they ended. */
const SETTLE_ALL = (count: number, call: string) => `
  const settled = await Promise.allSettled(Array.from({ length: ${count} }, () => ${call}));
  const refused = settled.filter((s) => s.status === 'rejected');
  ctx.log.info('settled', { answered: settled.length - refused.length, refused: refused.length, codes: [...new Set(refused.map((s) => s.reason.code))] });`;

function settledLog(result: RunResult): unknown {
  const outcome = result.outcomes[0];
  assert.equal(outcome?.ok, true, JSON.stringify(outcome));
  return outcome?.logs[0]?.fields;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('an instance has at most 256 kv calls open at once; more wait their turn, and a flood past the waiting room is refused with PLEXUS_RATE_LIMITED', { timeout: 60_000 }, async () => {
  kv = new Load();
  const max = MAX_OPEN_HOST_CALLS.kv;
  const spec = await plugin('kv-burst', SETTLE_ALL(max + 44, "ctx.kv.get('h:150')"));
  assert.deepEqual(settledLog(await sandbox.pool.run(spec, [testEvent({})])), { answered: max + 44, refused: 0, codes: [] });
  assert.equal(kv.maxOpen, max, 'the host never had more open');
  assert.equal(kv.total, max + 44);
  kv = new Load();
  const flood = await plugin('kv-flood', SETTLE_ALL(max + MAX_WAITING_HOST_CALLS.kv + 10, "ctx.kv.get('h:1')"));
  assert.deepEqual(settledLog(await sandbox.pool.run(flood, [testEvent({})])), { answered: max + MAX_WAITING_HOST_CALLS.kv, refused: 10, codes: ['PLEXUS_RATE_LIMITED'] });
  assert.ok(kv.maxOpen <= max, `${kv.maxOpen} open at once`);
  assert.equal(kv.total, max + MAX_WAITING_HOST_CALLS.kv, 'refused calls never reached the host');
  // The refusals cost the plugin nothing else: the same instance keeps serving.
  const again = await sandbox.pool.run(spec, [testEvent({})]);
  assert.deepEqual(again.restarts, []);
});

test('an instance has at most 16 fetches open at once; more wait their turn', { timeout: 30_000 }, async () => {
  http = new Load();
  const max = MAX_OPEN_HOST_CALLS.fetch;
  const spec = await plugin('fetch-burst', SETTLE_ALL(max + 24, `ctx.fetch('http://${sandbox.host}/hold/200')`));
  assert.deepEqual(settledLog(await sandbox.pool.run(spec, [testEvent({})])), { answered: max + 24, refused: 0, codes: [] });
  assert.equal(http.maxOpen, max, 'the server never had more open');
  assert.equal(http.total, max + 24);
});

test('fetches end with their instance, not at their own time limit', { timeout: 30_000 }, async () => {
  http = new Load();
  // The responses never end: only the fetch's own limit (10 s) or the instance's end stops them.
  const spec = await plugin('fetch-hang', `await Promise.all([1, 2, 3].map(() => ctx.fetch('http://${sandbox.host}/hang')));`, 300);
  const result = await sandbox.pool.run(spec, [testEvent({})]);
  const ended = performance.now();
  assert.deepEqual(result.restarts.map((r) => r.cause), ['timeout']);
  await pause(1500);
  assert.equal(http.total, 3);
  assert.equal(http.closedAt.length, 3, 'every request was aborted');
  for (const at of http.closedAt) assert.ok(at - ended < 1000, `closed ${Math.round(at - ended)} ms after the instance was disposed`);
});

test('kv calls that reach the worker after their instance was disposed never reach the host', { timeout: 30_000 }, async () => {
  kv = new Load();
  // Run as a sync call: the calls reach the worker only once the call is over, here ended by the time limit.
  const spec = await plugin('kv-flood', "if (e.data.flood) { for (let i = 0; i < 5000; i++) ctx.kv.get('h:0').catch(() => {}); while (true) {} }", 300);
  const result = await sandbox.pool.run(spec, [testEvent({ flood: true })]);
  assert.deepEqual(result.restarts.map((r) => r.cause), ['timeout']);
  await pause(500);
  assert.equal(kv.total, 0, 'the host saw none of them');
  const next = await sandbox.pool.run(spec, [testEvent({})]);
  assert.equal(next.outcomes[0]?.ok, true);
  assert.deepEqual(next.restarts, [], 'replaced once, for its timeout, and not counted again');
});
