// A delivery engine on a real SQLite store (a fresh file per fixture), with
// plugins run by test functions instead of the sandbox: for tests of the
// engine's own rules (order, backpressure, version swaps) that need durable
// writes and recovery as the host does them, and no plugin code.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { CLEAN_OK, DEFAULT_LIMITS, failure, NO_CAPABILITIES, type RunResult, type SandboxPool } from '@plexus/plugin-sdk/runtime';
import { DeliveryEngine, type EngineOptions } from '../../src/delivery/engine.ts';
import type { ActivePlugin, BatchExecutor } from '../../src/delivery/plugin-lane.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

/** A sandbox that must never be used: every plugin here has its own `execute`; `evicted` records the versions dropped. */
export function recordingSandbox(): { sandbox: SandboxPool; evicted: string[] } {
  const evicted: string[] = [];
  const refuse = async (): Promise<never> => {
    throw new Error('these plugins run without the sandbox');
  };
  const sandbox = { evict: async (key: string) => void evicted.push(key), run: refuse, runJson: refuse } as unknown as SandboxPool;
  return { sandbox, evicted };
}

export class SqliteEngineFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'plexus-delivery-'));
  readonly path = join(this.dir, 'plexus.db');
  readonly evicted: string[];
  readonly errors: string[] = [];
  store: SqliteStore = SqliteStore.open(this.path);
  engine: DeliveryEngine;
  readonly #sandbox: SandboxPool;
  readonly #options: Partial<EngineOptions>;

  constructor(options: Partial<EngineOptions> = {}) {
    const { sandbox, evicted } = recordingSandbox();
    this.#sandbox = sandbox;
    this.evicted = evicted;
    this.#options = options;
    this.engine = this.#newEngine();
  }

  /** A stop and a start on the same file: the engine goes (what it held in memory with it), the store's state stays. */
  async restart(): Promise<void> {
    await this.engine.stop(1000);
    await this.store.close();
    this.store = SqliteStore.open(this.path);
    this.engine = this.#newEngine();
  }

  async close(): Promise<void> {
    await this.engine.stop(1000);
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #newEngine(): DeliveryEngine {
    return new DeliveryEngine({
      store: this.store,
      sandbox: this.#sandbox,
      dedupWindowMs: 60_000,
      maxQueued: 10_000,
      random: () => 1,
      hooks: { error: (message) => void this.errors.push(message) },
      ...this.#options,
    });
  }
}

/** A plugin whose batches `execute` runs; one batch at a time, one event per batch unless `over` says otherwise. */
export function testPlugin(name: string, execute: BatchExecutor, over: Partial<ActivePlugin> = {}): ActivePlugin {
  return {
    name,
    spec: { key: `${name}@1.0.0`, name, version: '1.0.0', root: `/plugins/${name}`, main: 'dist/plugin.js', config: {}, capabilities: NO_CAPABILITIES, secrets: {}, limits: DEFAULT_LIMITS },
    subscribe: ['test.#'],
    retry: { maxRetries: 3, initialDelayMs: 50, multiplier: 1, maxDelayMs: 50 },
    concurrency: 1,
    batchSize: 1,
    breaker: { failureThreshold: 1000, coolDownMs: 1000 },
    execute,
    ...over,
  };
}

/** An event named by `data.name`, which nameOf() reads back. */
export function namedEvent(name: string, extra: Partial<PlexusEvent> = {}): PlexusEvent {
  return { specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.ordered', data: { name }, ...extra };
}

export const nameOf = (event: PlexusEvent): string => (event.data as { name: string }).name;

export const succeed = (events: readonly PlexusEvent[]): RunResult => ({ outcomes: events.map(() => CLEAN_OK), restarts: [], denials: [], instanceLogs: [] });

export const failAll = (events: readonly PlexusEvent[]): RunResult => ({ outcomes: events.map(() => failure({ name: 'Error', message: 'boom' })), restarts: [], denials: [], instanceLogs: [] });

/** A promise and the function that settles it: holds a plugin's batch until the test lets it go. */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves once `condition` holds, checked every few ms; rejects after `timeoutMs` naming `what`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
