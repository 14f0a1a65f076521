// bench:sandbox — events/s through the whole sandbox path (host → sandbox
// process → piscina worker → isolate → back) with a trivial plugin, as a ratio
// to a bare isolated-vm applySync loop measured in the same run; cold start
// (load + init) of a 100 KB bundle; resident memory per idle instance.
// Last line: one JSON object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ivm from 'isolated-vm';
import { loadPlugin } from '../plugin-sdk/src/manifest/load-plugin.ts';
import { PluginInstance } from '../plugin-sdk/src/sandbox/instance.ts';
import { HostCallGate } from '../plugin-sdk/src/sandbox/host-call-gate.ts';
import type { PluginRuntimeSpec } from '../plugin-sdk/src/sandbox/protocol.ts';
import { SandboxPool } from '../plugin-sdk/src/sandbox/sandbox-pool.ts';
import { loadSdkSource } from '../plugin-sdk/src/sandbox/sdk-source.ts';
import { BATCH, benchEvent, median, sandboxEventsPerSec, trivialSpec, writeBenchPlugin } from './sandbox-throughput.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = 3;
const event = benchEvent;

/** The bare baseline: one applySync per event, arguments and result copied. */
async function bareApplySync(): Promise<number> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const fn = (await context.eval('(function (e) { return { ok: e.data.orderId >= 0 }; })', { reference: true })) as ivm.Reference;
  const deadline = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) fn.applySync(undefined, [event(n + i)], { arguments: { copy: true }, result: { copy: true }, timeout: 1000 });
    n += 1000;
  }
  isolate.dispose();
  return n / SECONDS;
}

/** A realistic 100 KB bundle: many small functions and a lookup table, like an esbuild output. */
function hundredKbBundle(): string {
  const parts = ["import { definePlugin } from '@plexus/plugin-sdk';"];
  for (let i = 0; parts.join('\n').length < 100 * 1024; i++) {
    parts.push(`function helper${i}(x) { const t = { a: ${i}, b: 'value-${i}', c: [${i}, ${i + 1}, ${i + 2}] }; return x > ${i} ? t.a + x : t.c.reduce((s, v) => s + v, x); }`);
  }
  parts.push('let ready = false;', 'export default definePlugin({ init() { ready = helper0(1) > 0; }, execute(e) { return ready && helper1(e.data.orderId); } });');
  return parts.join('\n');
}

async function coldStart(spec: PluginRuntimeSpec, sdk: string): Promise<number> {
  const hooks = { kv: async () => '{"ok":true,"value":null}', fetch: async () => '{"ok":false}', denied: () => undefined };
  const times: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    const instance = await PluginInstance.create(spec, sdk, { ...hooks, calls: new HostCallGate() });
    times.push(performance.now() - t);
    instance.dispose();
  }
  return median(times.slice(5));
}

async function idleInstanceMb(spec: PluginRuntimeSpec, sdk: string): Promise<number> {
  const hooks = { kv: async () => '{"ok":true,"value":null}', fetch: async () => '{"ok":false}', denied: () => undefined };
  const N = 50;
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  const instances: PluginInstance[] = [];
  for (let i = 0; i < N; i++) instances.push(await PluginInstance.create(spec, sdk, { ...hooks, calls: new HostCallGate() }));
  await new Promise((r) => setTimeout(r, 200));
  const after = process.memoryUsage.rss();
  for (const instance of instances) instance.dispose();
  return (after - before) / N / (1024 * 1024);
}

const dir = await mkdtemp(join(tmpdir(), 'plexus-bench-'));
try {
  const trivial = await trivialSpec(dir);
  const big = (await loadPlugin(await writeBenchPlugin(dir, 'big', hundredKbBundle()))).spec;
  const sdk = await loadSdkSource();
  const pool = await SandboxPool.start({});
  await sandboxEventsPerSec(pool, trivial, 1); // warm up workers and instances
  const baselines: number[] = [];
  const sandboxed: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselines.push(await bareApplySync());
    sandboxed.push(await sandboxEventsPerSec(pool, trivial, SECONDS));
    console.log(`round ${round + 1}: bare applySync ${Math.round(baselines[round] as number)}/s, sandbox ${Math.round(sandboxed[round] as number)}/s`);
  }
  await pool.close();
  const coldStartMs = await coldStart(big, sdk);
  const instanceMb = await idleInstanceMb(trivial, sdk);
  const baselinePerSec = median(baselines);
  const eventsPerSec = median(sandboxed);
  console.log(`cold start (100 KB bundle, load + init): ${coldStartMs.toFixed(2)} ms; idle instance: ${instanceMb.toFixed(2)} MB RSS`);
  console.log(JSON.stringify({ bench: 'sandbox', ratio: Number((eventsPerSec / baselinePerSec).toFixed(3)), eventsPerSec: Math.round(eventsPerSec), baselinePerSec: Math.round(baselinePerSec), batch: BATCH, coldStartMs: Number(coldStartMs.toFixed(2)), bundleKb: 100, instanceMb: Number(instanceMb.toFixed(2)) }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
