// The sandbox-only figure both benches need: batches of 64 events pushed
// through SandboxPool.run (host → sandbox process → worker → isolate → back)
// with several batches in flight.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPlugin, type PluginRuntimeSpec, type SandboxPool } from '@plexus/plugin-sdk/runtime';

export const BATCH = 64;
const IN_FLIGHT = 4;

export const benchEvent = (i: number) => ({ specversion: '1.0' as const, id: String(i), source: 'bench', type: 'bench.tick', time: '2026-01-01T00:00:00Z', data: { orderId: i, amount: 12.5, currency: 'EUR', lines: [{ sku: 'A-1', qty: 2 }] } });

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function writeBenchPlugin(dir: string, name: string, body: string): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(join(root, 'package.json'), JSON.stringify({ name, version: '1.0.0', keywords: ['plexus-plugin'], plexus: { apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: ['bench.#'] } }));
  await writeFile(join(root, 'dist/plugin.js'), body);
  return root;
}

export const TRIVIAL_PLUGIN = "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute(e) { return e.data.orderId >= 0; } });";

export async function trivialSpec(dir: string, name = 'trivial'): Promise<PluginRuntimeSpec> {
  return (await loadPlugin(await writeBenchPlugin(dir, name, TRIVIAL_PLUGIN))).spec;
}

export async function sandboxEventsPerSec(pool: SandboxPool, spec: PluginRuntimeSpec, seconds: number): Promise<number> {
  const batch = Array.from({ length: BATCH }, (_, i) => benchEvent(i));
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  const lane = async () => {
    while (performance.now() < deadline) {
      const result = await pool.run(spec, batch);
      if (!result.outcomes.every((o) => o.ok)) throw new Error('trivial plugin failed');
      n += BATCH;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return n / ((performance.now() - started) / 1000);
}
