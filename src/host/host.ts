// The running host: one store, one sandbox, one delivery engine, the active
// plugins, the egress targets (delivery lanes that publish what plugins emit
// to a broker), and the operations the admin API and CLI expose. Ingress
// adapters (webhooks, brokers) call `accept`; everything durable goes through the store.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PlexusError, type PlexusEvent } from '@plexus/plugin-sdk';
import { removeAtomicTemps, SandboxPool, type KvHandler, type LateRestart } from '@plexus/plugin-sdk/runtime';
import type { HostConfig } from '../config/host-config.ts';
import { DeliveryEngine } from '../delivery/engine.ts';
import { Egress } from '../egress/egress.ts';
import { NO_BROKERS } from '../ingress/broker-config.ts';
import { settledWithin } from '../ingress/broker-reconnect-delay.ts';
import type { EngineHooks } from '../delivery/engine-options.ts';
import type { ActivePlugin, OnSettled } from '../delivery/plugin-lane.ts';
import type { ReplayClaims } from '../delivery/replay-dedup.ts';
import { PluginLoader } from '../plugins/active-plugins.ts';
import { PluginManager } from '../plugins/plugin-manager.ts';
import { UnpackWorker } from '../plugins/unpack-worker.ts';
import { pluginStatePath, readPluginState, type InstalledPlugin } from '../plugins/plugin-state.ts';
import { logCleanups } from './cleanup-logs.ts';
import { sweepStagingFolders, sweepUninstalledPlugins, sweepUnnamedVersions } from '../plugins/version-folders.ts';
import { openStore } from '../store/open-store.ts';
import { readOrCreateHostId } from './host-id.ts';
import type { AcceptResult, DlqEntry, DlqFilter, JournalEntry, ReplayClaim, Store } from '../store/store.ts';
import { engineHooks } from './engine-hooks.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import { HostMetrics } from '../observability/host-metrics.ts';

export interface HostOptions {
  logger: HostLogger;
  /** Use this store instead of opening the configured one (tests). */
  store?: Store;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** How often a host sharing its store looks for deliveries a stopped host left (a third of a lease). */
const ADOPT_EVERY_MS = 5_000;
const REPLAY_PAGE = 1000;

export class Host {
  readonly config: HostConfig;
  readonly store: Store;
  readonly sandbox: SandboxPool;
  readonly engine: DeliveryEngine;
  readonly metrics: HostMetrics;
  readonly logger: HostLogger;
  /** Installs, upgrades, configures and removes plugins while the host runs (src/plugins). */
  readonly pluginManager: PluginManager;
  /** Where plugin-emitted events are published (config `egress`); undefined when nothing is. */
  readonly egress: Egress | undefined;
  private readonly loader: PluginLoader;
  /** What the engine reports to (metrics, logs); late restarts go through the same restart hook. */
  private readonly hooks: Partial<EngineHooks>;
  private readonly unpacker = new UnpackWorker();
  private active: ActivePlugin[] = [];
  private loadFailures: { name: string; error: Error }[] = [];
  private pruneTimer: NodeJS.Timeout | undefined;
  private adoptTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(config: HostConfig, store: Store, sandbox: SandboxPool, logger: HostLogger, hostId: string) {
    this.config = config;
    this.store = store;
    this.sandbox = sandbox;
    this.logger = logger;
    this.metrics = new HostMetrics({ logger });
    this.hooks = engineHooks(logger, this.metrics);
    this.loader = new PluginLoader(config.secrets, config.limits);
    this.pluginManager = new PluginManager({
      stateDir: config.stateDir,
      load: (root, settings) => this.loader.load(resolve(config.stateDir, root), settings),
      sandbox: {
        warm: (spec) => {
          this.engine.keep(spec.key);
          return sandbox.warm(spec);
        },
        evict: (key) => sandbox.evict(key),
      },
      logger,
      reload: (installed) => this.reloadPlugins(installed),
      unpack: this.unpacker.unpack,
      inUse: () => this.engine.runningRoots(),
      failed: () => this.loadFailures.map((f) => f.name),
    });
    this.engine = new DeliveryEngine({
      store,
      sandbox,
      hostId,
      dedupWindowMs: config.delivery.dedupWindowMs,
      maxQueued: config.delivery.maxQueued,
      hooks: this.hooks,
    });
    // Before the first setPlugins: the egress lanes join the plugins' from the start, so recovered deliveries find them.
    const targets = config.egress ?? [];
    this.egress = targets.length === 0 ? undefined : new Egress({ targets, brokers: config.brokers ?? NO_BROKERS, logger, registry: this.metrics.registry });
    this.metrics.attach({
      lanes: () => this.engine.laneStates(),
      depth: () => this.engine.depth,
      retryingPerPlugin: () => this.engine.retryingPerPlugin,
      dlqSize: () => store.countDlq({}),
      sandbox: () => sandbox.stats(),
      sandboxCrashes: () => sandbox.crashes,
    });
  }

  static async start(config: HostConfig, options: HostOptions): Promise<Host> {
    await mkdir(config.stateDir, { recursive: true });
    const ownId = await readOrCreateHostId(config.stateDir);
    const store = options.store ?? (await openStore(config.store, config.stateDir, ownId, options.logger));
    // A shared store names the host it acts for: the deliveries this engine creates must carry that id.
    const hostId = store.host ?? ownId;
    const kv: KvHandler = (plugin, op, args) => kvCall(store, plugin, op, args);
    // The sandbox starts before the host that counts its restarts exists; no instance runs before it does.
    const counted: { host?: Host } = {};
    let sandbox: SandboxPool;
    try {
      sandbox = await SandboxPool.start({
        idleMs: config.sandbox.idleMs,
        nice: config.sandbox.nice,
        kv,
        onCrash: (info) => options.logger.error({ ...info }, 'the sandbox process died; respawning it'),
        onCleanup: (reports) => logCleanups(options.logger, reports),
        onLateRestart: (restarts) => counted.host?.lateRestarts(restarts),
        ...(config.sandbox.threads === undefined ? {} : { threads: config.sandbox.threads }),
      });
    } catch (err) {
      await store.close();
      throw err;
    }
    const host = new Host(config, store, sandbox, options.logger, hostId);
    counted.host = host;
    let recovered: number;
    try {
      // Connected (or trying) before recovery queues the deliveries they publish.
      await host.egress?.start();
      await sweepStagingFolders(config.stateDir);
      // A write of plugins.json killed before its rename left a temp file; nothing writes it yet.
      await removeAtomicTemps(host.pluginStatePath);
      const state = await readPluginState(host.pluginStatePath);
      await sweepUninstalledPlugins(config.stateDir, state.plugins.map((p) => p.name));
      await sweepUnnamedVersions(config.stateDir, state);
      await host.reloadPlugins();
      recovered = await host.engine.recover();
    } catch (err) {
      // A failed start closes what it opened: the sandbox process, the
      // unpack thread, egress reconnect loops and the store would otherwise
      // keep the process alive with nothing serving (and the store locked).
      await host.stop().catch((stopErr: unknown) => options.logger.error({ err: (stopErr as Error).message }, 'stopping after a failed start'));
      throw err;
    }
    if (recovered > 0) options.logger.info({ recovered }, 'recovered unfinished deliveries');
    host.pruneTimer = setInterval(() => void host.prune(), PRUNE_EVERY_MS);
    host.pruneTimer.unref();
    // Hosts sharing a store take over what a stopped one left pending (its lease lapsed).
    if (store.host !== undefined) {
      host.adoptTimer = setInterval(() => void host.adoptOrphans(), ADOPT_EVERY_MS);
      host.adoptTimer.unref();
    }
    return host;
  }

  /** Instances replaced after their batch returned: reported through the engine's restart hook, as a batch's restarts are. */
  private lateRestarts(restarts: readonly LateRestart[]): void {
    for (const { key, plugin, version, cause } of restarts) this.hooks.restart?.({ name: plugin, spec: { key, version } }, cause);
  }

  get pluginStatePath(): string {
    return pluginStatePath(this.config.stateDir);
  }

  /** Reads the plugin state file and swaps the active set; a plugin that fails to load is reported and skipped. */
  async reloadPlugins(installed?: readonly InstalledPlugin[]): Promise<{ active: string[]; failed: { name: string; message: string }[] }> {
    const list = installed ?? (await readPluginState(this.pluginStatePath)).plugins;
    const { delivery } = this.config;
    const result = await this.loader.activate(list.map((p) => ({ ...p, root: resolve(this.config.stateDir, p.root) })), delivery);
    for (const failure of result.failed) this.logger.error({ plugin: failure.name, code: (failure.error as PlexusError).code, err: failure.error.message }, 'plugin not activated');
    this.active = result.active;
    this.loadFailures = result.failed;
    this.engine.setPlugins(this.egress === undefined ? result.active : [...result.active, ...this.egress.lanes]);
    return { active: result.active.map((p) => `${p.name}@${p.spec.version}`), failed: result.failed.map((f) => ({ name: f.name, message: f.error.message })) };
  }

  /**
   * Plugins will be installed into this host (its admin API is up): start the
   * unpack thread now, at the lowest priority, instead of on the first
   * install, which would wait about half a second for it to load.
   */
  prepareInstalls(): void {
    this.unpacker.start();
  }

  get plugins(): readonly ActivePlugin[] {
    return this.active;
  }

  get failedPlugins(): readonly { name: string; error: Error }[] {
    return this.loadFailures;
  }

  /** Accepts already-validated envelopes; resolves once they are durable. `maxWaitMs` bounds a wait for room (DeliveryEngine.accept). */
  accept(events: readonly PlexusEvent[], onSettled?: OnSettled, claims?: readonly (ReplayClaim | undefined)[], maxWaitMs?: number): Promise<AcceptResult> {
    if (this.stopped) return Promise.reject(new PlexusError('PLEXUS_UNAVAILABLE', 'the host is shutting down'));
    return this.engine.accept(events, onSettled, claims, maxWaitMs);
  }

  listDlq(filter: DlqFilter, page: { limit: number; offset?: number }): Promise<DlqEntry[]> {
    return this.store.listDlq(filter, page);
  }

  async getDlq(id: string): Promise<DlqEntry> {
    const entry = await this.store.getDlq(id);
    if (!entry) throw new PlexusError('PLEXUS_NOT_FOUND', `no dead-letter entry ${id}`);
    return entry;
  }

  purgeDlq(filter: DlqFilter): Promise<number> {
    return this.store.purgeDlq(filter);
  }

  /** Moves matching DLQ entries back to delivery; answers how many. */
  async replayDlq(filter: DlqFilter): Promise<number> {
    const records = await this.store.replayDlq(filter, Date.now());
    this.engine.requeue(records);
    return records.length;
  }

  /**
   * Re-delivers journaled events accepted in [from, to) to the plugins subscribed now.
   * Without `to`, the window ends when the replay starts: read page by page, a
   * window ending "now" at each page would also take the events accepted while
   * the replay runs, delivering them twice, and never end under a fast stream.
   */
  async replay(query: { from: number; to?: number; type?: string }, onProgress?: (count: number) => void): Promise<number> {
    const window = { ...query, to: query.to ?? Date.now() };
    let afterSeq: number | undefined;
    let count = 0;
    // One set of idempotency claims for the whole replay: copies of a key on different pages are delivered once.
    const claims: ReplayClaims = new Map();
    for (;;) {
      const page: JournalEntry[] = await this.store.readJournal({ ...window, limit: REPLAY_PAGE, ...(afterSeq === undefined ? {} : { afterSeq }) });
      if (page.length === 0) return count;
      await this.engine.redeliver(page, claims);
      count += page.length;
      afterSeq = (page[page.length - 1] as JournalEntry).seq;
      onProgress?.(count);
    }
  }

  async adoptOrphans(): Promise<void> {
    try {
      const adopted = await this.engine.adoptOrphans();
      if (adopted > 0) this.logger.warn({ adopted }, 'took over the pending deliveries of a host that stopped');
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'adopting the deliveries of stopped hosts failed');
    }
  }

  async prune(): Promise<void> {
    try {
      const pruned = await this.store.prune(this.config.retention, Date.now());
      if (pruned.journal + pruned.dlq + pruned.dedup > 0) this.logger.info(pruned, 'retention pruned old entries');
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'retention pruning failed');
    }
  }

  /** Stop intake, let in-flight work settle (until `deadline`, epoch ms; default shutdownTimeoutMs from now), run cleanup hooks, close everything. */
  async stop(deadline?: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const end = deadline ?? Date.now() + this.config.shutdownTimeoutMs;
    clearInterval(this.pruneTimer);
    clearInterval(this.adoptTimer);
    // Plugin changes are refused from now; one already running warms and evicts
    // instances, so it must end before the sandbox closes (it would wait forever
    // for a closed sandbox's answer). An install still fetching ends now.
    const changing = this.pluginManager.close();
    await this.unpacker.close();
    await this.engine.stop(Math.max(0, end - Date.now()));
    // After the engine: in-flight publishes got their confirms; what is left stays pending in the store.
    await this.egress?.stop();
    await settledWithin(changing.catch(() => undefined), Math.max(0, end - Date.now()));
    // Cleanup hooks run here; what they logged and how they ended reach the log through onCleanup.
    await this.sandbox.close();
    await this.store.close();
    this.metrics.close();
  }
}

async function kvCall(store: Store, plugin: string, op: string, args: unknown[]): Promise<string | number | boolean | null> {
  const now = Date.now();
  const key = String(args[0]);
  switch (op) {
    case 'get':
      return store.kvGet(plugin, key, now);
    case 'set':
      await store.kvSet(plugin, key, String(args[1]), typeof args[2] === 'number' ? args[2] : null, now);
      return null;
    case 'delete':
      return store.kvDelete(plugin, key, now);
    case 'incr':
      return store.kvIncr(plugin, key, Number(args[1]), now);
    default:
      throw new PlexusError('PLEXUS_INVALID_REQUEST', `unknown kv operation ${op}`);
  }
}
