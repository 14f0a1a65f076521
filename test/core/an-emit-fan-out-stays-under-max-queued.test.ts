// An emit fan-out, on a real host (`plexus start`) with real sandboxed
// plugins: every event the fan-out plugin runs emits 100 events it
// subscribes to again, so the tree could reach 100^16 events before the
// depth limit. Emitted deliveries count against delivery.maxQueued like
// accepted ones: what the host holds in memory stays under a bound while the
// fan-out runs, and a second plugin fed from ingress keeps getting its events.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { writePluginState } from '../../src/plugins/plugin-state.ts';
import { plugin, writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { startPlexus, type PlexusProcess } from '../helpers/plexus-process.ts';

const MAX_QUEUED = 1000;
const BATCH_SIZE = 16;
const CONCURRENCY = 2;
const FAN_OUT = 100;
const RUN_MS = 20_000;

const FIXTURES = [
  { name: 'fan-out', subscribe: ['fan.#'], capabilities: { emit: ['fan.#'] }, source: plugin(`for (let i = 0; i < ${FAN_OUT}; i++) ctx.emit('fan.more', { i });`) },
  { name: 'pinged', subscribe: ['ping.#'], source: plugin(`ctx.log.info('pong', { sentAt: event.data.sentAt });`) },
];

let stateDir: string;
let host: PlexusProcess | undefined;

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'plexus-fan-out-'));
  const plugins = [];
  for (const fixture of FIXTURES) {
    const root = await writePlugin(fixture, stateDir);
    plugins.push({ name: `@fixtures/${fixture.name}`, version: '1.0.0', root, enabled: true, grants: ['emit:fan.#'], config: {} });
  }
  await writePluginState(join(stateDir, 'plugins.json'), { version: 1, plugins });
  const config = join(stateDir, 'plexus.json');
  await writeFile(config, JSON.stringify({ logLevel: 'info', delivery: { maxQueued: MAX_QUEUED, batchSize: BATCH_SIZE, concurrency: CONCURRENCY } }));
  host = await startPlexus(stateDir, { config });
});

after(async () => {
  await host?.stop('SIGKILL');
  await rm(stateDir, { recursive: true, force: true });
});

function running(): PlexusProcess {
  assert.ok(host, 'the host is running');
  return host;
}

interface Sample { at: number; queued: number; rssMb: number; sandboxRssMb: number; pending: number; events: number }

function metric(text: string, name: string, label = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(label) && !line.startsWith('#')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

async function sample(started: number): Promise<Sample> {
  const { adminUrl, token } = running();
  const text = await (await fetch(`${adminUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const db = new DatabaseSync(join(stateDir, 'plexus.db'), { readOnly: true });
  try {
    // Fresh deliveries live as bits of their journal row's batch (`left` pending), retried ones as rows of their own.
    const pending = (db.prepare('SELECT (SELECT coalesce(sum(left), 0) FROM batches) + (SELECT count(*) FROM deliveries) AS n').get() as { n: number }).n;
    const events = (db.prepare("SELECT value AS n FROM meta WHERE key = 'last_seq'").get() as { n: number } | undefined)?.n ?? 0;
    return {
      at: Date.now() - started, queued: metric(text, 'plexus_queue_depth{'),
      rssMb: Math.round(metric(text, 'plexus_process_resident_memory_bytes') / 2 ** 20),
      sandboxRssMb: Math.round(metric(text, 'plexus_sandbox_rss_bytes') / 2 ** 20), pending, events,
    };
  } finally {
    db.close();
  }
}

test('a fan-out of 100 emits per event stays under maxQueued, and ingress to another plugin is still served', { timeout: 120_000 }, async () => {
  const started = Date.now();
  const res = await running().emit({ type: 'fan.start', data: {} });
  assert.equal(res.status, 202, await res.text());
  const samples: Sample[] = [];
  const sent: number[] = [];
  /** When each ping was sent: on a loaded machine the loop (a sample every second) sends fewer than RUN_MS / 200. */
  const attempted: number[] = [];
  let nextSample = 0;
  while (Date.now() - started < RUN_MS) {
    const sentAt = Date.now();
    attempted.push(sentAt);
    // The admin API waits for room like any ingress: bounded here, so a starved ingress shows as a late pong.
    void running().emit({ type: 'ping.once', data: { sentAt } }).then((r) => r.status === 202 && sent.push(sentAt), () => undefined);
    if (Date.now() - started >= nextSample) {
      samples.push(await sample(started));
      nextSample += 1000;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pongs = running().logs().filter((l) => l.msg === 'pong').map((l) => ({ sentAt: l.sentAt as number, latency: Date.parse(l.time as string) - (l.sentAt as number) }));
  const latencies = pongs.map((p) => p.latency).sort((a, b) => a - b);
  const report = { samples, pings: attempted.length, accepted: sent.length, pongs: pongs.length, p50: latencies[Math.floor(latencies.length / 2)], max: latencies.at(-1) };
  console.log(JSON.stringify(report));
  // One batch per slot may emit past the bound before its settle waits: that far over, never further.
  const bound = MAX_QUEUED + CONCURRENCY * BATCH_SIZE * FAN_OUT;
  for (const s of samples) assert.ok(s.queued <= bound, `queued ${s.queued} at ${s.at} ms is over ${bound}: ${JSON.stringify(report)}`);
  for (const s of samples) assert.ok(s.pending <= bound + MAX_QUEUED, `${s.pending} pending deliveries in the store at ${s.at} ms: ${JSON.stringify(report)}`);
  // Pings sent in the first 15 s have all been run, none of them waited more than 3 s (a shared 2-core machine; ~0.1 s alone).
  // Ingress does not wait for the emitted deliveries' room: counting its overshoot refused 3-21 of 100 pings, some waited 5-13 s.
  const early = attempted.filter((sentAt) => sentAt - started < 15_000).length;
  assert.ok(pongs.filter((p) => p.sentAt - started < 15_000).length >= early - 2, `pings of the first 15 s answered: ${JSON.stringify(report)}`);
  assert.ok((latencies.at(-1) ?? Infinity) < 3_000, `slowest ping ${latencies.at(-1)} ms: ${JSON.stringify(report)}`);
});
