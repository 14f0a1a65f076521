// A real delivery engine on a real store (SQLite file or Redis) and a real
// sandbox, with hooks recording every outcome, for the event-core tests.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { loadPlugin, SandboxPool, type CallOutcome } from '@plexus/plugin-sdk/runtime';
import { DeliveryEngine, type EngineHooks } from '../../src/delivery/engine.ts';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DeliveryRecord, Settlement, Store } from '../../src/store/store.ts';
import { writePlugin, type FixturePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { redisAvailable } from '../helpers/services.ts';

export interface Observed {
  plugin: string;
  eventId: string;
  type: string;
  outcome: CallOutcome;
  settlement: Settlement;
  at: number;
}

export type StoreKind = 'sqlite' | 'redis';

export const STORE_KINDS: StoreKind[] = ['sqlite', 'redis'];

export class CoreFixture {
  readonly kind: StoreKind;
  dir!: string;
  store!: Store;
  sandbox!: SandboxPool;
  engine!: DeliveryEngine;
  readonly observed: Observed[] = [];
  readonly duplicates: number[] = [];
  private prefix = `plexus-test:${randomUUID()}:`;
  private readonly isolated: Store[] = [];

  constructor(kind: StoreKind) {
    this.kind = kind;
  }

  static async available(kind: StoreKind): Promise<boolean> {
    return kind === 'sqlite' || redisAvailable();
  }

  /** `random`: the engine's source for retry jitter (backoff.ts); a test timing retries pins it. */
  async start(engineOptions: { maxQueued?: number; dedupWindowMs?: number; random?: () => number } = {}): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'plexus-core-'));
    this.store = await this.openStore();
    // kv is served by the fixture's store, as the host does: plugins count attempts there,
    // because instance memory is per worker and a retry may run on another worker.
    this.sandbox = await SandboxPool.start({
      threads: 2,
      kv: async (plugin, op, args) => {
        const now = Date.now();
        const key = String(args[0]);
        if (op === 'incr') return this.store.kvIncr(plugin, key, Number(args[1]), now);
        if (op === 'get') return this.store.kvGet(plugin, key, now);
        if (op === 'delete') return this.store.kvDelete(plugin, key, now);
        await this.store.kvSet(plugin, key, String(args[1]), typeof args[2] === 'number' ? args[2] : null, now);
        return null;
      },
    });
    this.engine = this.newEngine(engineOptions);
  }

  /** The fixture's store, or with `isolated` a fresh empty one (the fixture cleans and closes it at stop). */
  async openStore(isolated = false): Promise<Store> {
    const suffix = isolated ? randomUUID() : 'main';
    const store = this.kind === 'sqlite' ? await SqliteStore.open(join(this.dir, `plexus-${suffix}.db`)) : await RedisStore.connect({ prefix: `${this.prefix}${suffix}:` });
    if (isolated) this.isolated.push(store);
    return store;
  }

  newEngine(options: { maxQueued?: number; dedupWindowMs?: number; store?: Store; random?: () => number } = {}): DeliveryEngine {
    const hooks: Partial<EngineHooks> = {
      outcome: (plugin, delivery: DeliveryRecord, outcome, settlement) => this.observed.push({ plugin: plugin.name, eventId: delivery.event.id, type: delivery.event.type, outcome, settlement, at: Date.now() }),
      duplicates: (n) => this.duplicates.push(n),
    };
    return new DeliveryEngine({ store: options.store ?? this.store, sandbox: this.sandbox, dedupWindowMs: options.dedupWindowMs ?? 60_000, maxQueued: options.maxQueued ?? 10_000, hooks, ...(options.random === undefined ? {} : { random: options.random }) });
  }

  async stop(): Promise<void> {
    await this.engine.stop(5000);
    await this.sandbox.close();
    // Remove this run's Redis keys, then close every store this fixture opened.
    for (const store of [this.store, ...this.isolated]) {
      if (store instanceof RedisStore) await store.destroyAll();
      await store.close();
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  async plugin(fixture: FixturePlugin, overrides: Partial<ActivePlugin> = {}, grants: string[] = []): Promise<ActivePlugin> {
    const root = await writePlugin(fixture, this.dir);
    const { pkg, spec } = await loadPlugin(root, { grants: ['kv', ...grants] });
    return {
      name: pkg.name, spec, subscribe: pkg.plexus.subscribe,
      retry: { maxRetries: 2, initialDelayMs: 20, multiplier: 2, maxDelayMs: 100 },
      concurrency: 2, batchSize: 16, breaker: { failureThreshold: 1000, coolDownMs: 1000 },
      ...overrides,
    };
  }

  outcomesFor(plugin: string): Observed[] {
    return this.observed.filter((o) => o.plugin === plugin);
  }

  async waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export function event(type: string, extra: Partial<PlexusEvent> = {}): PlexusEvent {
  return { specversion: '1.0', id: randomUUID(), source: 'test', type, time: new Date().toISOString(), ...extra };
}

/**
 * A plugin whose behaviour is driven by the event's data: fail N times, throw
 * permanently, be slow, emit. Attempts are counted in ctx.kv (durable and
 * shared by every instance), never in instance memory.
 */
export const scripted = (name: string, subscribe = ['test.#'], extra: Partial<FixturePlugin> = {}): FixturePlugin => ({
  name,
  subscribe,
  source: `import { definePlugin, PermanentError } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  const d = event.data ?? {};
  const n = d.failTimes ? await ctx.kv.incr('attempts:' + event.id) : 1;
  if (d.permanent) throw new PermanentError('bad input');
  if (d.failTimes && n <= d.failTimes) throw new Error('transient failure ' + n);
  if (d.always) throw new Error('always fails');
  if (d.spinMs) { const end = Date.now() + d.spinMs; while (Date.now() < end) {} }
  if (d.emit && ctx.emit) ctx.emit(d.emit, { cause: event.id });
} });`,
  ...extra,
  capabilities: { kv: true, ...extra.capabilities },
});
