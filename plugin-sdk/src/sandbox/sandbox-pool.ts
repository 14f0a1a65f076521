// Host side of the sandbox: owns the sandbox child process, respawns it when
// it dies, and gives every in-flight batch an honest outcome. A batch that
// was running when the process died is re-run one event at a time, so the
// event that kills the process is the one that ends up with the crash.
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { PlexusError } from '../errors.ts';
import { isNiceSteps, MAX_NICE } from './process-priority.ts';
import { DEFAULT_TASKS_PER_WORKER, type CleanupReport, type HostToSandbox, type LateRestart, type PluginRuntimeSpec, type RunResult, type SandboxStats, type SandboxToHost, type WarmReport, type WorkerToHost } from './protocol.ts';
import type { SandboxProcessOptions } from './sandbox-process.ts';
import { WorkerLinks, type WorkerLink } from './worker-links.ts';
import { forkSandbox } from './sandbox-child.ts';
import { answerHostCall, type HostCallHandlers } from './host-call-server.ts';
import { CrashReruns, settleStopped, type Pending } from './orphaned-requests.ts';

export type { FetchHandler, KvHandler } from './host-call-server.ts';

export interface SandboxPoolOptions extends Omit<SandboxProcessOptions, 'fetchViaHost'>, HostCallHandlers {
  /** Called whenever the sandbox process dies unexpectedly (before it is respawned). */
  onCrash?: (info: { code: number | null; signal: string | null; inFlight: number }) => void;
  /** What each instance's `cleanup` hook did (its logs, its error), whenever instances are evicted or the pool closes. */
  onCleanup?: (reports: readonly CleanupReport[]) => void;
  /** Instances replaced after their batch had returned, which no run result carries. */
  onLateRestart?: (restarts: readonly LateRestart[]) => void;
}

const RESPAWN_BACKOFF_MS = [0, 100, 250, 500, 1000, 2000, 5000];
const SHUTDOWN_TIMEOUT_MS = 45_000;
/** Backstop past every per-event limit (a batch may be bisected into single runs): a run still
 * unanswered after this means the sandbox is wedged, and it is killed and respawned. */
const runDeadlineMs = (spec: PluginRuntimeSpec, count: number) => (count + 1) * (spec.limits.timeoutMs + 1000) + 10_000;

export class SandboxPool {
  private child!: ChildProcess;
  private ready!: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private readonly options: SandboxPoolOptions;
  private seq = 0;
  private closing = false;
  /** The sandbox process exited after close(): requests are refused at once. */
  private stopped = false;
  /** Batches the sandbox died under, re-run one event at a time. */
  readonly #reruns = new CrashReruns((spec, eventJson, reruns) => this.#runJson(spec, eventJson, 1, reruns));
  private consecutiveCrashes = 0;
  /** Direct links to the workers; undefined when none could be set up (runs then all go through the sandbox process). */
  private links: WorkerLinks | undefined;
  /** Time direct runs spent in flight since the last stats(), for the utilization piscina cannot see. */
  private linkBusyMs = 0;
  private statsAt = performance.now();
  /** Sandbox process deaths since start. */
  crashes = 0;

  private constructor(options: SandboxPoolOptions) {
    this.options = options;
  }

  static async start(options: SandboxPoolOptions = {}): Promise<SandboxPool> {
    if (options.nice !== undefined && !isNiceSteps(options.nice)) throw new PlexusError('PLEXUS_INVALID_CONFIG', `sandbox nice must be an integer from 0 to ${MAX_NICE} (steps below the host), not ${String(options.nice)}`);
    const pool = new SandboxPool(options);
    try {
      pool.links = await WorkerLinks.listen({ onMessage: (link, message) => pool.onLinkMessage(link, message), onClose: (link) => pool.onLinkClosed(link) });
    } catch {
      // No socket here (a read-only tmpdir, say): every run goes through the sandbox process, as it always could.
    }
    pool.spawn(0);
    try {
      await pool.ready;
    } catch (err) {
      // No respawns for a pool nobody will use.
      pool.closing = true;
      await pool.links?.close();
      throw err;
    }
    return pool;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Workers of the current sandbox process whose direct link is up (worker-links.ts). */
  get linkedWorkers(): number {
    return this.links?.count(this.child.pid) ?? 0;
  }

  /** Where the workers connect; undefined when every run goes through the sandbox process. */
  get workerLinkPath(): string | undefined {
    return this.links?.address.path;
  }

  /**
   * Drops every worker's link, as the death of their threads would: batches
   * in flight on them are re-run one event at a time, later ones go through
   * the sandbox process. What the tests of that path use to cause it.
   */
  closeWorkerLinks(): void {
    this.links?.closeLinks();
  }

  /**
   * Runs `execute` for each event on one plugin; resolves with one outcome per
   * event, never rejects. `eventsJson`, when the caller has it, must be
   * JSON.stringify(events): it saves serializing the batch again.
   */
  async run(spec: PluginRuntimeSpec, events: readonly unknown[], eventsJson?: string): Promise<RunResult> {
    // Async, so that events JSON cannot encode reject the promise, as before, instead of throwing at the caller.
    return this.runJson(spec, eventsJson ?? JSON.stringify(events), events.length);
  }

  /**
   * run() for a caller that holds its events only as the JSON array text of
   * `count` events: no event object needs to exist on this side (they are
   * parsed from the text only to re-run a batch one by one after a crash).
   */
  runJson(spec: PluginRuntimeSpec, eventsJson: string, count: number): Promise<RunResult> {
    return this.#runJson(spec, eventsJson, count, 0);
  }

  /** `reruns`: how many times the sandbox died under this (one) event already (rerun-after-crash.ts). */
  async #runJson(spec: PluginRuntimeSpec, eventsJson: string, count: number, reruns: number): Promise<RunResult> {
    if (count === 0) return { outcomes: [], restarts: [], denials: [], instanceLogs: [] };
    if (this.closing) throw new PlexusError('PLEXUS_UNAVAILABLE', 'the sandbox is shutting down');
    await this.ready;
    return new Promise((resolve) => {
      const id = ++this.seq;
      const child = this.child;
      const deadline = setTimeout(() => {
        if (this.pending.has(id) && child === this.child) child.kill('SIGKILL');
      }, runDeadlineMs(spec, count));
      // Up to the batches a worker runs at once over its link; beyond that, through piscina's queue.
      const link = this.links?.pick(child.pid, this.options.concurrentTasksPerWorker ?? DEFAULT_TASKS_PER_WORKER);
      this.pending.set(id, { kind: 'run', spec, eventsJson, count, resolve: (result) => { clearTimeout(deadline); resolve(result); }, link, sentAt: performance.now(), reruns });
      if (link) {
        link.inFlight++;
        link.send({ kind: 'run', id, spec, eventsJson, count });
      } else {
        this.post({ kind: 'run', id, spec, eventsJson, count });
      }
    });
  }

  /** Retires every instance of `key` (in-flight calls finish first, then `cleanup` runs). */
  async evict(key: string): Promise<CleanupReport[]> {
    const reply = await this.request((id) => ({ kind: 'evict', id, key }));
    return this.cleaned(reply.kind === 'evicted' ? reply.cleanups : []);
  }

  /**
   * Starts an instance of `spec` (load + init) in every worker, ahead of the
   * batches that will need it: a hot upgrade warms the new version while the
   * old one serves, then swaps with no pause for instance start-up. Resolves
   * ok only if init succeeded everywhere; on failure the caller should evict.
   */
  async warm(spec: PluginRuntimeSpec): Promise<WarmReport> {
    const reply = await this.request((id) => ({ kind: 'warm', id, spec }));
    if (reply.kind !== 'warmed') throw new PlexusError('PLEXUS_INTERNAL', 'unexpected warm reply');
    if (reply.reports.length === 0) throw new PlexusError('PLEXUS_UNAVAILABLE', 'no sandbox worker answered the warm-up');
    const instanceLogs = reply.reports.flatMap((r) => r.instanceLogs);
    const failed = reply.reports.find((r) => !r.ok);
    return failed && !failed.ok ? { ok: false, error: failed.error, instanceLogs } : { ok: true, instanceLogs };
  }

  async stats(): Promise<SandboxStats> {
    const reply = await this.request((id) => ({ kind: 'stats', id }));
    if (reply.kind !== 'stats-result') throw new PlexusError('PLEXUS_INTERNAL', 'unexpected stats reply');
    // piscina counts only the runs it carried; the direct ones are counted here, over the time since the last call.
    const now = performance.now();
    const direct = this.linkBusyMs / (Math.max(1, reply.stats.threads) * Math.max(1, now - this.statsAt));
    this.linkBusyMs = 0;
    this.statsAt = now;
    return { ...reply.stats, utilization: Math.min(1, reply.stats.utilization + direct) };
  }

  private cleaned(reports: CleanupReport[]): CleanupReport[] {
    if (reports.length > 0) this.options.onCleanup?.(reports);
    return reports;
  }

  /** Runs every instance's `cleanup`, then stops the sandbox process. */
  async close(): Promise<CleanupReport[]> {
    if (this.closing) return [];
    await this.ready.catch(() => undefined);
    this.closing = true;
    const child = this.child;
    const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    const kill = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_TIMEOUT_MS);
    try {
      const reply = await this.request((id) => ({ kind: 'shutdown', id }));
      return this.cleaned(reply.kind === 'shutdown-done' ? reply.cleanups : []);
    } catch {
      return [];
    } finally {
      await exited;
      clearTimeout(kill);
      await this.links?.close();
    }
  }

  private request(make: (id: number) => HostToSandbox): Promise<SandboxToHost> {
    // Nothing would ever answer it: a warm-up or eviction asked of a closed pool hung its caller for good.
    if (this.stopped) return Promise.reject(new PlexusError('PLEXUS_UNAVAILABLE', 'the sandbox has stopped'));
    return this.ready.then(() => new Promise<SandboxToHost>((resolve, reject) => {
      const id = ++this.seq;
      this.pending.set(id, { kind: 'other', resolve, reject });
      this.post(make(id));
    }));
  }

  private post(message: HostToSandbox): void {
    // A send to a dying child is answered by the exit handler, which settles
    // every pending request; the write's own error (EPIPE) says nothing more.
    if (this.child.connected) this.child.send(message, undefined, undefined, () => undefined);
  }

  private spawn(attempt: number): void {
    const threads = this.options.threads ?? availableParallelism();
    const { child, ready } = forkSandbox({ threads, idleMs: this.options.idleMs, concurrentTasksPerWorker: this.options.concurrentTasksPerWorker, nice: this.options.nice, fetchViaHost: this.options.fetch !== undefined }, this.links?.address ?? null);
    this.child = child;
    this.ready = ready;
    this.ready.then(() => { this.consecutiveCrashes = attempt > 0 ? this.consecutiveCrashes : 0; }, () => undefined);
    child.on('message', (message: SandboxToHost) => this.onMessage(message));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
  }

  private onMessage(message: SandboxToHost): void {
    if (message.kind === 'ready' || message.kind === 'booted') return;
    if (message.kind === 'host-call') {
      void answerHostCall(this.options, message.id, message.plugin, message.call, (reply) => this.post(reply));
      return;
    }
    if (message.kind === 'idle-cleanups') {
      this.cleaned(message.cleanups);
      return;
    }
    if (message.kind === 'late-restarts') {
      if (message.restarts.length > 0) this.options.onLateRestart?.(message.restarts);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (pending.kind === 'run') {
      if (message.kind === 'run-result') {
        this.consecutiveCrashes = 0;
        pending.resolve(message.result);
      }
    } else {
      pending.resolve(message);
    }
  }

  private onLinkMessage(link: WorkerLink, message: Exclude<WorkerToHost, { kind: 'hello' }>): void {
    const pending = this.pending.get(message.id);
    if (pending?.kind !== 'run' || pending.link !== link) return;
    this.pending.delete(message.id);
    link.inFlight--;
    this.linkBusyMs += performance.now() - pending.sentAt;
    if (message.kind === 'run-result') {
      this.consecutiveCrashes = 0;
      pending.resolve(message.result);
    } else {
      void this.#reruns.recover(pending, `its worker failed: ${message.error.message}`, true).then(pending.resolve);
    }
  }

  /** A worker's link dropped: its batches are re-run once it is known whether only its thread died (CrashReruns.afterLinkClosed). */
  private onLinkClosed(link: WorkerLink): void {
    if (!this.closing) this.#reruns.afterLinkClosed(this.pending, link, () => this.request((id) => ({ kind: 'stats', id })));
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (child !== this.child) return;
    const orphans = [...this.pending.values()];
    this.pending.clear();
    if (this.closing) {
      this.stopped = true;
      settleStopped(orphans);
      return;
    }
    this.crashes++;
    this.options.onCrash?.({ code, signal, inFlight: orphans.length });
    const delay = RESPAWN_BACKOFF_MS[Math.min(this.consecutiveCrashes++, RESPAWN_BACKOFF_MS.length - 1)] as number;
    const respawn = new Promise<void>((resolve) => setTimeout(resolve, delay));
    this.ready = respawn.then(() => {
      if (this.closing) return undefined;
      this.spawn(this.consecutiveCrashes);
      return this.ready;
    });
    const alone = orphans.filter((p) => p.kind === 'run').length === 1;
    for (const p of orphans) {
      if (p.kind === 'other') p.reject(new PlexusError('PLEXUS_SANDBOX_CRASHED', `the sandbox process died (${signal ?? `code ${code}`})`));
      else void this.#reruns.recover(p, `the sandbox process died (${signal ?? `exit code ${code}`})`, alone).then(p.resolve);
    }
  }
}
