// A seeded torture test of hot plugin changes (CONTRACT §7, §8). A real
// registry process holds the versions of two plugins; a real Host (SQLite
// store, two sandbox threads) serves a closed-loop stream of a few thousand
// events (some with partition keys, some with idempotency keys, a few failing
// their first attempt so retries cross the changes) while ~40
// plugin operations run in a seeded order, some issued together without
// waiting: upgrade, downgrade, configure, disable, enable, a version whose
// init throws (rolled back), a version asking for an ungranted capability
// (held while the old version serves, then granted), uninstall and reinstall.
//
// The operations run one at a time in the manager's queue, in the order they
// were issued, so a model predicts each one's answer exactly. Nothing here
// depends on timing: what each event must reach is what `accept` answered
// (the deliveries it created), and every check is on counts the plugins keep
// in kv or on what the host asked of its sandbox. At the end: every delivery
// ran, nothing dead-lettered or pending, partition order kept, no version ran
// after its cleanup, plugins.json is the model, and a restart runs the same.
// TORTURE_SEED=<n> replays another order.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { normalizeEnvelope, validateEnvelope } from '../../src/envelope/index.ts';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { packTarball, publish, publishBody, type PackageJson } from '../../registry/test/helpers/packages.ts';
import { registryProcess, type RegistryProcess } from '../../registry/test/helpers/registry-process.ts';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import type { PluginChange } from '../../src/plugins/plugin-manager.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import { seededRandom } from '../router/seeded-random.ts';

const SEED = Number(process.env.TORTURE_SEED ?? 20261207);
const OPERATIONS = 40;
/** The stream keeps going after the last operation until at least this many events were accepted. */
const MIN_EVENTS = 2500;
const OUTSTANDING = 64;
const CHUNK = 8;
/** A pause after each accept: a few hundred events a second, a few thousand over the run, on a 2-core machine. */
const PACE_MS = 15;
const TOKEN = 'torture-token-0123456789abcdef';
const PLUGINS = ['@torture/alpha', '@torture/beta'] as const;
type Name = (typeof PLUGINS)[number];
const NORMAL = ['1.0.0', '1.1.0', '1.2.0'];
const BAD_INIT = '1.5.0';
/** Versions 2.0.k ask for http:h<k>.example.com besides kv: each one is held until granted. */
const ASKING = 8;

/**
 * Every version counts its executions per event in kv and keeps, per
 * instance, whether its cleanup ran and how many executions are running: an
 * execution that starts after its instance's cleanup, or a cleanup that runs
 * while an execution is in flight, is counted as a violation.
 */
const SOURCE = (init: string) => `import { definePlugin } from '@plexus/plugin-sdk';
let cleaned = false;
let running = 0;
export default definePlugin({
  async init(ctx) { ${init} },
  async execute(event, ctx) {
    if (cleaned) await ctx.kv.incr('violation:executed-after-cleanup');
    running++;
    try {
      const n = await ctx.kv.incr('n:' + event.id);
      if (n === 1 && event.partitionkey !== undefined) await ctx.kv.set('o:' + event.id, String(await ctx.kv.incr('clock:' + event.partitionkey)));
      // A flaky event fails its first attempt: retries run across the changes too.
      if (n === 1 && event.data.flaky === true) throw new Error('transient failure');
      if ((await ctx.kv.incr('ok:' + event.id)) === 1) await ctx.kv.set('v:' + event.id, ctx.plugin.version + '|' + ctx.config.label);
    } finally {
      running--;
    }
  },
  async cleanup(ctx) {
    if (running > 0) await ctx.kv.incr('violation:cleanup-while-running');
    cleaned = true;
    await ctx.kv.incr('cleanups');
  },
});
`;

function packageOf(name: Name, version: string, hosts: string[] = []): PackageJson {
  const capabilities: Record<string, unknown> = { kv: true };
  if (hosts.length > 0) capabilities.http = { hosts };
  return {
    name, version, type: 'module', license: 'MIT', keywords: ['plexus-plugin'],
    plexus: {
      apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: ['orders.#'], capabilities,
      config: { type: 'object', properties: { label: { type: 'string', default: 'none' } }, additionalProperties: false },
    },
  };
}

let dir: string;
let registry: RegistryProcess;
let host: Host;
let hostConfig: ReturnType<typeof defaultHostConfig>;
const logger = new RecordingLogger();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-torture-'));
  registry = await registryProcess(join(dir, 'registry'), TOKEN);
  for (const name of PLUGINS) {
    const versions: [string, string, string[]][] = [...NORMAL.map((v): [string, string, string[]] => [v, '', []]), [BAD_INIT, `throw new Error('init refuses to start');`, []]];
    for (let k = 0; k < ASKING; k++) versions.push([`2.0.${k}`, '', [`h${k}.example.com`]]);
    for (const [version, init, hosts] of versions) {
      const pkg = packageOf(name, version, hosts);
      const res = await publish(registry.url, pkg, TOKEN, publishBody(pkg, await packTarball(pkg, { 'dist/plugin.js': SOURCE(init) })));
      assert.equal(res.status, 201, `publishing ${name}@${version}: ${JSON.stringify(res.body)}`);
    }
  }
  const config = defaultHostConfig(join(dir, 'state'));
  // Quick retries, so flaky events are retried while the changes go on.
  hostConfig = { ...config, sandbox: { ...config.sandbox, threads: 2, idleMs: 60_000 }, delivery: { ...config.delivery, retry: { initialDelayMs: 20, maxDelayMs: 200 } } };
  host = await Host.start(hostConfig, { logger });
});
after(async () => {
  await host?.stop();
  registry?.child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

/** What the test expects of one plugin: the manager's answers are predicted from it. */
interface Model {
  installed: boolean;
  version: string;
  enabled: boolean;
  label: string;
  grants: string[];
  pending?: { version: string; label: string; grant: string };
}

type Op =
  | { kind: 'install'; name: Name; version: string }
  | { kind: 'configure'; name: Name; label: string }
  | { kind: 'enable' | 'disable' | 'uninstall'; name: Name }
  | { kind: 'bad-init'; name: Name }
  | { kind: 'ask'; name: Name; k: number }
  | { kind: 'grant'; name: Name };

/** The seeded plan: each operation valid for the model as it will be when the operation runs. */
function plan(rng: () => number): { ops: Op[]; together: boolean[] } {
  const model = new Map<Name, Model>(PLUGINS.map((n) => [n, { installed: true, version: '1.0.0', enabled: true, label: 'l0', grants: ['kv'] }]));
  const ops: Op[] = [];
  const together: boolean[] = [];
  let asked = 0;
  let labels = 0;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
  while (ops.length < OPERATIONS) {
    const name = pick(PLUGINS);
    const m = model.get(name) as Model;
    let op: Op;
    if (!m.installed) op = { kind: 'install', name, version: pick(NORMAL) };
    else {
      const kinds = ['install', 'install', 'configure', m.enabled ? 'disable' : 'enable', 'uninstall', ...(m.enabled ? ['bad-init'] : []), ...(m.pending ? ['grant', 'grant'] : asked < ASKING * PLUGINS.length / 2 ? ['ask'] : [])];
      const kind = pick(kinds);
      if (kind === 'install') op = { kind, name, version: pick(NORMAL.filter((v) => v !== m.version)) };
      else if (kind === 'configure') op = { kind, name, label: `l${++labels}` };
      else if (kind === 'ask') op = { kind, name, k: asked++ % ASKING };
      else op = { kind: kind as 'enable' | 'disable' | 'uninstall' | 'bad-init' | 'grant', name };
    }
    // The plan's own model only tracks what decides which operations are valid next.
    apply(m, op);
    ops.push(op);
    together.push(rng() < 0.4);
  }
  return { ops, together };
}

/** The model after `op`, and what the manager must answer (`refused`: PLEXUS_PLUGIN_LOAD_FAILED). */
function apply(m: Model, op: Op): { change?: PluginChange['change'] | 'uninstalled'; refused?: boolean; version?: string } {
  switch (op.kind) {
    case 'install': {
      const change = !m.installed ? 'installed' : op.version === m.version ? 'reinstalled' : op.version > m.version ? 'upgraded' : 'downgraded';
      if (!m.installed) Object.assign(m, { installed: true, enabled: true, grants: ['kv'], label: 'reinstalled' });
      m.version = op.version;
      delete m.pending;
      return { change, version: m.version };
    }
    case 'configure':
      m.label = op.label;
      return { change: 'updated', version: m.version };
    case 'enable':
    case 'disable':
      m.enabled = op.kind === 'enable';
      return { change: 'updated', version: m.version };
    case 'uninstall':
      m.installed = false;
      delete m.pending;
      return { change: 'uninstalled' };
    case 'bad-init':
      return { refused: true };
    case 'ask': {
      const version = `2.0.${op.k}`;
      m.pending = { version, label: m.label, grant: `http:h${op.k}.example.com` };
      return { change: 'pending', version: m.version };
    }
    case 'grant': {
      const pending = m.pending as NonNullable<Model['pending']>;
      const change = pending.version > m.version ? 'upgraded' : 'downgraded';
      m.grants = [...m.grants, pending.grant];
      Object.assign(m, { version: pending.version, label: pending.label });
      delete m.pending;
      return { change, version: m.version };
    }
  }
}

interface Accepted {
  id: string;
  /** The plugins `accept` created a delivery for. */
  plugins: Set<string>;
  partitionKey: string | undefined;
  flaky: boolean;
  settled: boolean;
}

/** Keeps OUTSTANDING events accepted but unsettled; every event is checked at the end. */
function closedLoop(h: Host, rng: () => number) {
  const accepted: Accepted[] = [];
  let outstanding = 0;
  let running = true;
  let failure: unknown;
  const waiting: (() => void)[] = [];
  const make = (n: number): PlexusEvent => {
    const raw: Record<string, unknown> = { specversion: '1.0', id: `e${n}`, source: 'torture', type: 'orders.created', data: { n, flaky: rng() < 0.03 } };
    const r = rng();
    if (r < 0.3) raw.partitionkey = `p${n % 6}`;
    else if (r < 0.4) raw.idempotencykey = `k${n % 40}`;
    return normalizeEnvelope(validateEnvelope(raw), Date.now());
  };
  let n = 0;
  const pump = async () => {
    while (running) {
      if (outstanding + CHUNK > OUTSTANDING) {
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      outstanding += CHUNK;
      const events = Array.from({ length: CHUNK }, () => make(++n));
      const entries = events.map((e): Accepted => ({ id: e.id, plugins: new Set(), partitionKey: e.partitionkey, flaky: (e.data as { flaky: boolean }).flaky, settled: false }));
      const onSettled = (i: number) => {
        (entries[i] as Accepted).settled = true;
        outstanding--;
        waiting.shift()?.();
      };
      // In accept order: the partition order checked later is this order.
      accepted.push(...entries);
      try {
        const result = await h.accept(events, onSettled);
        const byId = new Map(entries.map((e) => [e.id, e]));
        for (const record of result.created) byId.get(record.event.id)?.plugins.add(record.plugin);
        await new Promise((r) => setTimeout(r, PACE_MS));
      } catch (err) {
        failure = err;
        running = false;
      }
    }
  };
  // One pump: the accept order of events sharing a partition key is the order they were made in.
  const loop = pump();
  return {
    accepted,
    async stop() {
      running = false;
      for (const resolve of waiting.splice(0)) resolve();
      await loop;
      if (failure) throw failure;
    },
  };
}

/**
 * What the host asks of its sandbox, per version key, in the order it asks:
 * a batch started on a version after that version's instances were sent to
 * cleanup (and before it was warmed again), or a cleanup sent while a batch
 * of that version still ran, is recorded. The plugins' own per-instance
 * checks cannot see the first: the sandbox would start a fresh instance.
 */
function watchSandbox(h: Host): { violations: string[]; cleanups: number; batches: number } {
  const seen = { violations: [] as string[], cleanups: 0, batches: 0 };
  const violations = seen.violations;
  const cleaned = new Set<string>();
  const running = new Map<string, number>();
  const sandbox = h.sandbox;
  const { run, runJson, warm, evict } = { run: sandbox.run.bind(sandbox), runJson: sandbox.runJson.bind(sandbox), warm: sandbox.warm.bind(sandbox), evict: sandbox.evict.bind(sandbox) };
  const started = (key: string, what: string) => {
    seen.batches++;
    if (cleaned.has(key)) violations.push(`${what} on ${key} after its cleanup`);
    running.set(key, (running.get(key) ?? 0) + 1);
  };
  const ended = (key: string) => running.set(key, (running.get(key) ?? 1) - 1);
  sandbox.run = (spec, ...rest) => {
    started(spec.key, 'a batch');
    return run(spec, ...rest).finally(() => ended(spec.key));
  };
  sandbox.runJson = (spec, ...rest) => {
    started(spec.key, 'a batch');
    return runJson(spec, ...rest).finally(() => ended(spec.key));
  };
  sandbox.warm = (spec) => {
    cleaned.delete(spec.key);
    return warm(spec);
  };
  sandbox.evict = (key) => {
    if ((running.get(key) ?? 0) > 0) violations.push(`cleanup of ${key} sent while ${running.get(key)} of its batches ran`);
    seen.cleanups++;
    cleaned.add(key);
    return evict(key);
  };
  return seen;
}

const kv = async (name: string, key: string): Promise<string | null> => host.store.kvGet(name, key, Date.now());
const kvNumber = async (name: string, key: string): Promise<number> => Number((await kv(name, key)) ?? 0);

test(`random plugin changes under a steady stream lose no event and never run a cleaned-up version (seed ${SEED})`, { timeout: 120_000 }, async (t) => {
  const rng = seededRandom(SEED);
  const { ops, together } = plan(rng);
  const manager = host.pluginManager;
  const watched = watchSandbox(host);
  for (const name of PLUGINS) await manager.install({ spec: `${name}@1.0.0`, registry: registry.url, grants: ['kv'], config: { label: 'l0' } });
  const model = new Map<Name, Model>(PLUGINS.map((n) => [n, { installed: true, version: '1.0.0', enabled: true, label: 'l0', grants: ['kv'] }]));

  const run = (op: Op): Promise<unknown> => {
    switch (op.kind) {
      case 'install': return manager.install(model.get(op.name)?.installed ? { spec: `${op.name}@${op.version}`, registry: registry.url } : { spec: `${op.name}@${op.version}`, registry: registry.url, grants: ['kv'], config: { label: 'reinstalled' } });
      case 'configure': return manager.update(op.name, { config: { label: op.label } });
      case 'enable': return manager.update(op.name, { enabled: true });
      case 'disable': return manager.update(op.name, { enabled: false });
      case 'uninstall': return manager.uninstall(op.name);
      case 'bad-init': return manager.install({ spec: `${op.name}@${BAD_INIT}`, registry: registry.url });
      case 'ask': return manager.install({ spec: `${op.name}@2.0.${op.k}`, registry: registry.url });
      case 'grant': return manager.update(op.name, { grant: [model.get(op.name)?.pending?.grant as string] });
    }
  };
  /** Issues `op` (the manager queues it behind those issued before) and checks its answer against the model. */
  const issue = (op: Op, index: number): Promise<void> => {
    const m = model.get(op.name) as Model;
    const call = run(op);
    const expected = apply(m, op);
    // The model as this operation leaves it: later operations issued together change `m` before this one ends.
    const leaves = { version: m.version, enabled: m.enabled };
    const what = `operation ${index} (${JSON.stringify(op)}, seed ${SEED})`;
    return call.then(
      (answer) => {
        assert.ok(!expected.refused, `${what} must be refused`);
        if (expected.change === 'uninstalled') return;
        const change = answer as PluginChange;
        assert.equal(change.change, expected.change, what);
        assert.equal(change.installed.version, expected.version, what);
        if (op.kind === 'ask') {
          assert.equal(change.installed.pending?.version, `2.0.${op.k}`, what);
          // The manager runs one operation at a time and the next one has not reached a reload yet.
          const running = host.plugins.find((p) => p.name === op.name);
          if (leaves.enabled) assert.equal(running?.spec.version, leaves.version, `${what}: the old version keeps serving`);
        }
      },
      (err: Error & { code?: string }) => {
        assert.ok(expected.refused, `${what} failed: ${err.code} ${err.message}`);
        assert.equal(err.code, 'PLEXUS_PLUGIN_LOAD_FAILED', what);
        // Rolled back: still served by the version the model has.
        assert.equal(host.plugins.find((p) => p.name === op.name)?.spec.version, leaves.version, `${what}: the previous version keeps serving`);
      },
    );
  };

  /** A few events accepted alone after a change settled: each must reach exactly the versions the model has. */
  const probe = async (round: number) => {
    const events = [0, 1, 2].map((i) => normalizeEnvelope(validateEnvelope({ specversion: '1.0', id: `probe-${round}-${i}`, source: 'torture', type: 'orders.probe', data: {} }), Date.now()));
    let settled = 0;
    let allSettled = () => undefined as void;
    const done = new Promise<void>((resolve) => {
      allSettled = resolve;
    });
    const result = await host.accept(events, () => {
      if (++settled === events.length) allSettled();
    });
    for (const name of PLUGINS) {
      const m = model.get(name) as Model;
      const reached = result.created.filter((r) => r.plugin === name).length;
      assert.equal(reached, m.installed && m.enabled ? events.length : 0, `probe ${round}: ${name} subscribed as the model says (seed ${SEED})`);
    }
    await done;
    for (const event of events) {
      for (const name of PLUGINS) {
        const m = model.get(name) as Model;
        if (!m.installed || !m.enabled) continue;
        assert.equal(JSON.parse((await kv(name, `v:${event.id}`)) ?? 'null'), `${m.version}|${m.label}`, `probe ${round}: ${event.id} runs on the model's version of ${name} (seed ${SEED})`);
      }
    }
  };

  const stream = closedLoop(host, rng);
  try {
    let batch: Promise<void>[] = [];
    for (let i = 0; i < ops.length; i++) {
      batch.push(issue(ops[i] as Op, i));
      if (together[i] && i < ops.length - 1) continue;
      await Promise.all(batch);
      if (batch.length === 1) await probe(i);
      batch = [];
    }
    // Every plugin back, enabled, so every delivery accepted for it (parked while it was away) runs.
    for (const name of PLUGINS) {
      const m = model.get(name) as Model;
      if (!m.installed) await issue({ kind: 'install', name, version: '1.1.0' }, -1);
      else if (!m.enabled) await issue({ kind: 'enable', name }, -1);
    }
    while (stream.accepted.length < MIN_EVENTS) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await stream.stop();
  }
  await host.engine.idle();
  const deadline = Date.now() + 30_000;
  while (stream.accepted.some((a) => !a.settled) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

  const accepted = stream.accepted;
  const kinds = new Map<string, number>();
  for (const op of ops) kinds.set(op.kind, (kinds.get(op.kind) ?? 0) + 1);
  t.diagnostic(`${accepted.length} events; operations ${JSON.stringify(Object.fromEntries(kinds))}, ${together.filter(Boolean).length} issued with the next`);
  assert.ok(accepted.length >= MIN_EVENTS, `a real stream (${accepted.length} events)`);
  assert.deepEqual(accepted.filter((a) => !a.settled).map((a) => a.id), [], 'every accepted event settled');
  assert.equal(await host.store.countDlq({}), 0, 'nothing dead-lettered');
  const depth = await host.store.depth();
  assert.deepEqual(Object.entries(depth).filter(([, n]) => n > 0), [], 'nothing pending in the store');

  for (const name of PLUGINS) {
    const expected = accepted.filter((a) => a.plugins.has(name));
    assert.ok(expected.length > 0, `${name} got events`);
    const lost: string[] = [];
    const again: string[] = [];
    for (const a of expected) {
      if ((await kvNumber(name, `ok:${a.id}`)) === 0) lost.push(a.id);
      // Nothing crashed: only a flaky event's failed first attempt runs it twice.
      if ((await kvNumber(name, `n:${a.id}`)) !== (a.flaky ? 2 : 1)) again.push(`${a.id}: ${await kvNumber(name, `n:${a.id}`)}`);
    }
    assert.deepEqual(lost, [], `${name}: every event accept routed to it was executed successfully (seed ${SEED})`);
    assert.deepEqual(again, [], `${name}: each event ran once, a flaky one twice (seed ${SEED})`);
    assert.ok(expected.some((a) => a.flaky), `${name}: some events failed once and were retried`);
    // Partition order: per key, first executions in accept order.
    const byKey = new Map<string, number[]>();
    for (const a of expected) {
      if (a.partitionKey === undefined) continue;
      const list = byKey.get(a.partitionKey) ?? [];
      list.push(Number(JSON.parse((await kv(name, `o:${a.id}`)) ?? '0')));
      byKey.set(a.partitionKey, list);
    }
    for (const [key, order] of byKey) {
      const sorted = [...order].sort((x, y) => x - y);
      assert.deepEqual(order, sorted, `${name}: partition ${key} executed in accept order (seed ${SEED})`);
    }
    assert.equal(await kvNumber(name, 'violation:executed-after-cleanup'), 0, `${name}: no execution on an instance after its cleanup`);
    assert.equal(await kvNumber(name, 'violation:cleanup-while-running'), 0, `${name}: no cleanup while an execution ran`);
    assert.ok((await kvNumber(name, 'cleanups')) > 0, `${name}: retired instances ran cleanup`);
  }

  assert.ok(watched.cleanups > 0 && watched.batches > 0, 'versions were retired while batches ran');
  assert.deepEqual(watched.violations, [], `the host never runs a version after sending it to cleanup (seed ${SEED})`);

  // The state file is the final plugin list the model has.
  const file = JSON.parse(await readFile(host.pluginStatePath, 'utf8')) as { plugins: { name: string; version: string; enabled: boolean; config: { label: string }; grants: string[]; pending?: { version: string } }[] };
  assert.deepEqual(
    file.plugins.map((p) => ({ name: p.name, version: p.version, enabled: p.enabled, label: p.config.label, grants: [...p.grants].sort(), pending: p.pending?.version })),
    PLUGINS.map((name) => {
      const m = model.get(name) as Model;
      return { name, version: m.version, enabled: m.enabled, label: m.label, grants: [...m.grants].sort(), pending: m.pending?.version };
    }),
    `plugins.json matches the model (seed ${SEED})`,
  );
  assert.deepEqual(host.plugins.map((p) => `${p.name}@${p.spec.version}`).sort(), PLUGINS.map((n) => `${n}@${(model.get(n) as Model).version}`), 'the running set is the file');
  assert.deepEqual(host.failedPlugins, []);

  // A restart runs what the file says.
  await host.stop();
  host = await Host.start(hostConfig, { logger });
  assert.deepEqual(host.plugins.map((p) => `${p.name}@${p.spec.version}`).sort(), PLUGINS.map((n) => `${n}@${(model.get(n) as Model).version}`), 'a restart runs the same set');
  assert.deepEqual(host.failedPlugins, []);
});
