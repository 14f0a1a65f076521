// Emit loops, on a real host (`plexus start`) with real sandboxed plugins:
// every event carries its emit-chain depth (`plexusdepth`), and an execute
// whose emits would go past the maximum (16) is dead-lettered with
// PLEXUS_EMIT_DEPTH_EXCEEDED instead of feeding the loop for ever. A
// legitimate chain passes, the depth survives a restart (it is in the
// journaled envelope), and an ingress event can only raise it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writePluginState } from '../../src/plugins/plugin-state.ts';
import { plugin, writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { startPlexus, type LogLine, type PlexusProcess } from '../helpers/plexus-process.ts';

const MAX_DEPTH = 16;
const GRANTS = ['kv', 'emit:loop.#', 'emit:chain.#'];

interface DlqEntry { plugin: string; reason: string; event: { data?: { chain?: string }; plexusdepth?: number }; error: { code: string; message: string } }

// Emits what it subscribes to: every run logs its chain and depth, then emits the next link.
// With `pauseAt`, the run at that depth fails once (retried in 3 s), so a host can stop in between.
const LOOPER = plugin(`
  const chain = event.data.chain;
  if (event.data.pauseAt === event.plexusdepth && (await ctx.kv.get('paused:' + chain)) === undefined) {
    await ctx.kv.set('paused:' + chain, 1);
    throw new Error('pausing the chain');
  }
  ctx.log.info('loop run', { chain, depth: event.plexusdepth ?? 0 });
  ctx.emit('loop.again', event.data);`);

const FIXTURES = [
  { name: 'looper', subscribe: ['loop.#'], capabilities: { kv: true, emit: ['loop.#'] }, source: LOOPER },
  { name: 'step-a', subscribe: ['chain.start'], capabilities: { emit: ['chain.#'] }, source: plugin(`ctx.emit('chain.b', event.data);`) },
  { name: 'step-b', subscribe: ['chain.b'], capabilities: { emit: ['chain.#'] }, source: plugin(`ctx.emit('chain.c', event.data);`) },
  { name: 'step-c', subscribe: ['chain.c'], source: plugin(`ctx.log.info('chain done', { chain: event.data.chain, depth: event.plexusdepth });`) },
];

let stateDir: string;
let host: PlexusProcess | undefined;

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'plexus-emit-depth-'));
  const plugins = [];
  for (const fixture of FIXTURES) {
    const root = await writePlugin(fixture, stateDir);
    plugins.push({ name: `@fixtures/${fixture.name}`, version: '1.0.0', root, enabled: true, grants: GRANTS, config: {}, retry: { maxRetries: 3, initialDelayMs: 3000, multiplier: 1, maxDelayMs: 3000 } });
  }
  await writePluginState(join(stateDir, 'plugins.json'), { version: 1, plugins });
  host = await startPlexus(stateDir);
});

after(async () => {
  await host?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

function running(): PlexusProcess {
  assert.ok(host, 'the host is running');
  return host;
}

async function eventually<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function dlq(plugin: string): Promise<DlqEntry[]> {
  const { adminUrl, token } = running();
  const res = await fetch(`${adminUrl}/v1/dlq?plugin=${encodeURIComponent(plugin)}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { entries: DlqEntry[] }).entries;
}

async function deadChain(chain: string): Promise<DlqEntry> {
  const entries = await eventually(() => dlq('@fixtures/looper'), (list) => list.some((e) => e.event.data?.chain === chain), `chain ${chain} to be dead-lettered`);
  return entries.find((e) => e.event.data?.chain === chain) as DlqEntry;
}

const runsOf = (logs: LogLine[], chain: string): number[] => logs.filter((l) => l.msg === 'loop run' && l.chain === chain).map((l) => l.depth as number);

async function accepted(event: Record<string, unknown>): Promise<void> {
  const res = await running().emit(event);
  assert.equal(res.status, 202, await res.text());
}

function assertStoppedAtMaxDepth(entry: DlqEntry): void {
  assert.equal(entry.reason, 'permanent');
  assert.equal(entry.error.code, 'PLEXUS_EMIT_DEPTH_EXCEEDED');
  assert.match(entry.error.message, /@fixtures\/looper/);
  assert.match(entry.error.message, new RegExp(`depth ${MAX_DEPTH}\\b`));
  assert.equal(entry.event.plexusdepth, MAX_DEPTH);
}

test('a plugin emitting what it subscribes to stops at the maximum depth, dead-lettered once and logged once', { timeout: 90_000 }, async () => {
  await accepted({ type: 'loop.start', data: { chain: 'self-1' } });
  await accepted({ type: 'loop.start', data: { chain: 'self-2' } });
  assertStoppedAtMaxDepth(await deadChain('self-1'));
  assertStoppedAtMaxDepth(await deadChain('self-2'));
  // Nothing runs past the dead letter.
  await new Promise((r) => setTimeout(r, 1000));
  for (const chain of ['self-1', 'self-2']) {
    // The run at the maximum depth ran (its log line is kept) but what it emitted was refused.
    assert.deepEqual(runsOf(running().logs(), chain), Array.from({ length: MAX_DEPTH + 1 }, (_, d) => d), `${chain} ran at depths 0..${MAX_DEPTH} once each`);
    assert.equal((await dlq('@fixtures/looper')).filter((e) => e.event.data?.chain === chain).length, 1);
  }
  const warnings = running().logs().filter((l) => l.msg.includes('emit chain too deep'));
  assert.equal(warnings.length, 1, `one line per plugin per interval, not per event: ${JSON.stringify(warnings)}`);
  assert.match(warnings[0]?.msg ?? '', /@fixtures\/looper/);
  assert.match(String(warnings[0]?.err), new RegExp(`chain depth ${MAX_DEPTH}\\b`));
});

test('a legitimate three-step chain passes, each link one deeper', { timeout: 60_000 }, async () => {
  await accepted({ type: 'chain.start', data: { chain: 'legit' } });
  const done = await eventually(() => running().logs().filter((l) => l.msg === 'chain done' && l.chain === 'legit'), (lines) => lines.length > 0, 'the chain to finish');
  assert.equal(done[0]?.depth, 2);
  for (const name of ['step-a', 'step-b', 'step-c']) assert.deepEqual(await dlq(`@fixtures/${name}`), []);
});

test('an ingress event can raise its depth but never forge it below zero', { timeout: 60_000 }, async () => {
  // Kept and respected: a chain relayed through an outside system keeps counting.
  await accepted({ type: 'loop.start', data: { chain: 'relayed' }, plexusdepth: MAX_DEPTH - 1 });
  assertStoppedAtMaxDepth(await deadChain('relayed'));
  assert.deepEqual(runsOf(running().logs(), 'relayed'), [MAX_DEPTH - 1, MAX_DEPTH]);
  for (const forged of [-1, '0', 1.5, true]) {
    const res = await running().emit({ type: 'loop.start', data: { chain: 'forged' }, plexusdepth: forged });
    assert.equal(res.status, 400, `plexusdepth ${JSON.stringify(forged)}`);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'PLEXUS_INVALID_EVENT');
    assert.match(body.error.message, /plexusdepth/);
  }
});

test('the depth survives a host restart in the middle of a chain', { timeout: 120_000 }, async () => {
  // The run at depth 5 fails once and waits for its retry, a fully jittered 0-3 s: the host is stopped
  // in that pause (the retry stays in the journal). A retry drawn so short that the chain went on
  // before the stop tests nothing here; that chain is left and another one started.
  let chain = '';
  for (let attempt = 1; ; attempt++) {
    chain = `restart-${attempt}`;
    await accepted({ type: 'loop.start', data: { chain, pauseAt: 5 } });
    const name = chain;
    await eventually(() => runsOf(running().logs(), name), (depths) => depths.length >= 5, 'the chain to reach depth 5');
    const stopping = running();
    assert.equal(await stopping.stop('SIGTERM'), 0);
    host = await startPlexus(stateDir);
    if (runsOf(stopping.logs(), chain).length === 5) break;
    assert.ok(attempt < 5, 'five chains in a row resumed before the host could stop');
  }
  assertStoppedAtMaxDepth(await deadChain(chain));
  assert.deepEqual(runsOf(running().logs(), chain), Array.from({ length: MAX_DEPTH - 4 }, (_, i) => i + 5), 'the new host went on from depth 5, not from 0');
});
