// One plugin instance = one isolated-vm isolate with its own heap limit.
// Every call into it carries a `timeout` (a sync call without one can wedge
// the worker beyond Worker.terminate()), and a watchdog disposes the isolate
// when a promise never settles, because `timeout` does not cover that.
import type ivm from 'isolated-vm';
import type { ErrorData } from '../errors.ts';
import type { LogRecord } from '../types.ts';
import { bootIsolate, createPluginIsolate, SMALL_CALL_MS, type HostHooks, type RunnerRefs } from './boot-isolate.ts';
import { HeapCollector } from './heap-collector.ts';
import { loadError } from './module-loader.ts';
import { checkLogRecords } from './outcome-check.ts';
import type { PluginRuntimeSpec, RestartCause } from './protocol.ts';
import type { SyncCallSlot } from './sync-call-watch.ts';
import type { HostCallGate } from './host-call-gate.ts';
import { AnswerHandoff } from './answer-handoff.ts';
import { SyncPath } from './sync-path.ts';
import { classifyFault, describeError, faultError } from './call-faults.ts';

/** Host functions an instance calls back into (boot-isolate.ts), and the gate its host calls go through. */
export interface InstanceHooks extends HostHooks {
  /** What kv and fetch go through (host-call-gate.ts): told which calls into the isolate run, closed when the instance is disposed. */
  readonly calls: HostCallGate;
}

export type CallResult = { json: string } | { fault: RestartCause; error: ErrorData; partialJson: string | undefined };

/** Extra time the watchdog grants past the limit, so the isolate's own timeout reports first. */
const WATCHDOG_GRACE_MS = 25;
/** How long the watchdog waits for partial results from a stuck isolate before disposing it anyway. */
const COLLECT_WAIT_MS = 20;

export class PluginInstance {
  readonly spec: PluginRuntimeSpec;
  lastUsed = Date.now();
  inFlight = 0;
  private readonly isolate: ivm.Isolate;
  private readonly refs: RunnerRefs;
  private disposedByUs = false;
  /** Set once a confirming call was due (confirmAnswersLater); refreshed, not re-created, after each call. */
  private confirmTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether its batches run as sync calls, from what they cost (sync-path.ts). */
  private readonly path = new SyncPath();
  private batchTokens = 0;
  /** Its async calls not yet settled, in the order they were made (see call()). */
  private readonly running = new Set<Promise<unknown>>();
  /** Where this worker reports its sync calls; without one, batches run async only. */
  private syncCalls: SyncCallSlot | undefined;
  /** What init logged, until someone reports it (takeInitLogs). */
  private initLogs: LogRecord[] = [];
  /** Its kv and fetch calls, counted on this side (host-call-gate.ts). */
  private readonly calls: HostCallGate;
  /** Long kv and fetch answers waiting for the isolate to take them (answer-handoff.ts). */
  private readonly answers: AnswerHandoff;
  /** Full collections of its isolate, in a realm of their own (heap-collector.ts). */
  private readonly heap: HeapCollector;

  private constructor(spec: PluginRuntimeSpec, isolate: ivm.Isolate, refs: RunnerRefs, calls: HostCallGate, answers: AnswerHandoff) {
    this.calls = calls;
    this.answers = answers;
    calls.attach(this);
    this.spec = spec;
    this.isolate = isolate;
    this.refs = refs;
    this.heap = new HeapCollector(isolate, spec.limits.memoryMb);
  }

  /**
   * Creates the isolate, loads the plugin module and runs `init`. Throws PlexusError on any failure.
   * `costHint`: CPU ms per event of the instance this one replaces (sync-path.ts), if any.
   */
  static async create(spec: PluginRuntimeSpec, sdkSource: string, hooks: InstanceHooks, syncCalls?: SyncCallSlot, costHint?: number): Promise<PluginInstance> {
    const isolate = createPluginIsolate(spec);
    const answers = new AnswerHandoff(spec.limits.memoryMb);
    try {
      const refs = await bootIsolate(isolate, spec, sdkSource, hooks, answers);
      const instance = new PluginInstance(spec, isolate, refs, hooks.calls, answers);
      instance.syncCalls = syncCalls;
      instance.path.seed(costHint);
      const init = await instance.runHook('init');
      if ('fault' in init) throw loadError(`init of ${spec.name}@${spec.version} failed: ${init.error.message}`);
      const outcome = JSON.parse(init.json) as { ok: boolean; error?: ErrorData; logs?: unknown };
      if (!outcome.ok) throw loadError(`init of ${spec.name}@${spec.version} threw: ${outcome.error?.message ?? 'unknown error'}`);
      // Written by plugin code like every outcome: checked like one (levels, sizes, count), or the host logs what the plugin forged.
      instance.initLogs = checkLogRecords(outcome.logs, spec.limits.maxLogsPerCall);
      return instance;
    } catch (err) {
      if (!isolate.isDisposed) isolate.dispose();
      answers.clear();
      if (err instanceof Error && err.name === 'PlexusError') throw err;
      throw loadError(`cannot load ${spec.name}@${spec.version}: ${describeError(err)}`, err);
    }
  }

  /** Disposed, and not by us: isolated-vm disposes an isolate that ran out of memory. */
  private get disposedUnderUs(): boolean {
    return this.isolate.isDisposed && !this.disposedByUs;
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  /** kv and fetch calls its plugin started that have not been answered, as this worker counted them. */
  get hostCallsOpen(): number {
    return this.calls.openCalls;
  }

  /**
   * Whether a batch of `count` events runs as a sync call: only if its
   * measured cost fits and no batch went over the budget lately
   * (sync-path.ts), and not while kv/fetch work is open or its answers may
   * still run (HostCallGate.syncSafe).
   */
  runsSync(count = 1): boolean {
    // Not while its async calls run: a sync call would wait for the isolate behind them, holding the worker thread (and its timers) meanwhile.
    return this.syncCalls !== undefined && this.calls.syncSafe && this.inFlight === 0 && this.path.fits(count);
  }

  /** CPU ms per event of its batches as last measured; undefined before any. */
  get perEventMs(): number | undefined {
    return this.path.perEventMs;
  }

  /** `count`: the events in `eventsJson`, which the sync path's cost is estimated for. */
  runBatch(eventsJson: string, count = 1): Promise<CallResult> {
    if (!this.runsSync(count)) return this.runBatchAsync(eventsJson, count);
    return this.runBatchSync(eventsJson, count);
  }

  /** Its CPU time is measured from the call (calls queued ahead of it count too: over, never under, what it cost). */
  private async runBatchAsync(eventsJson: string, count: number): Promise<CallResult> {
    const token = ++this.batchTokens;
    const cpuBefore = this.cpuTime();
    const result = await this.call(this.refs.runBatch, [eventsJson, token], 'execute', this.spec.limits.timeoutMs, token);
    const cpuAfter = 'json' in result ? this.cpuTime() : undefined;
    this.path.ranAsync(count, cpuBefore === undefined || cpuAfter === undefined ? undefined : Number(cpuAfter - cpuBefore) / 1e6);
    return result;
  }

  /** The isolate's CPU time so far (ns); undefined once it is disposed. */
  private cpuTime(): bigint | undefined {
    try {
      return this.isolate.isDisposed ? undefined : this.isolate.cpuTime;
    } catch {
      return undefined;
    }
  }

  /** The batch as a sync call (its time limit covers its sync part and microtasks); if it is still waiting after that, awaited under the watchdog. */
  private async runBatchSync(eventsJson: string, count: number): Promise<CallResult> {
    const watch = this.syncCalls as SyncCallSlot;
    const timeoutMs = this.spec.limits.timeoutMs;
    const token = ++this.batchTokens;
    const started = performance.now();
    const cpuBefore = process.threadCpuUsage();
    this.lastUsed = Date.now();
    let json: unknown;
    watch.begin(timeoutMs + SMALL_CALL_MS);
    try {
      this.refs.startBatch.applySync(undefined, [eventsJson, token], { arguments: { copy: true }, timeout: timeoutMs });
      json = this.refs.takeBatch.applySync(undefined, [token], { result: { copy: true }, timeout: SMALL_CALL_MS });
    } catch (err) {
      const fault = classifyFault(err, false, this.disposedUnderUs);
      this.dispose();
      return { fault, error: faultError(fault, 'execute', this.spec, err), partialJson: undefined };
    } finally {
      watch.end();
    }
    const elapsed = performance.now() - started;
    if (typeof json === 'string') {
      const cpu = process.threadCpuUsage(cpuBefore);
      this.path.ranSync(count, (cpu.user + cpu.system) / 1000);
      return { json };
    }
    this.path.backOff();
    return this.call(this.refs.awaitBatch, [token], 'execute', Math.max(1, Math.ceil(timeoutMs - elapsed)), token);
  }

  runHook(name: 'init' | 'cleanup'): Promise<CallResult> {
    return this.call(this.refs.runHook, [name], name, this.spec.limits.timeoutMs);
  }

  /** init's logs, once: reported with the warm-up or with the instance's first batch. */
  takeInitLogs(): LogRecord[] {
    const logs = this.initLogs;
    if (logs.length > 0) this.initLogs = [];
    return logs;
  }

  async takeInstanceLogs(): Promise<LogRecord[]> {
    if (this.disposed) return [];
    try {
      return checkLogRecords(JSON.parse((await this.refs.takeInstanceLogs.apply(undefined, [], { result: { copy: true }, timeout: SMALL_CALL_MS })) as string), this.spec.limits.maxLogsPerCall);
    } catch {
      return [];
    }
  }

  async heapBytes(): Promise<number> {
    if (this.disposed) return 0;
    const stats = await this.isolate.getHeapStatistics();
    return stats.total_heap_size + stats.externally_allocated_size;
  }

  /** What its heap holds now, garbage not yet collected included: committed pages (heapBytes) lag behind a collection. */
  async usedHeapBytes(): Promise<number> {
    return this.disposed ? 0 : (await this.isolate.getHeapStatistics()).used_heap_size;
  }

  /** A full collection, before each part of a batch run in parts after the first (heap-collector.ts). */
  collectGarbage(): Promise<void> {
    return this.heap.collect(() => this.inFlight === 0 && this.calls.syncSafe, this.syncCalls);
  }

  dispose(): void {
    this.disposedByUs = true;
    this.calls.close();
    this.answers.clear();
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  /**
   * Calls into the isolate are all over, but answers handed to it during
   * them may still have continuations queued or running behind them, outside
   * any time limit (one that landed as its batch ended). The next call comes
   * async and its watchdog covers them; if none comes within the time limit,
   * one async call confirms they ran, or its watchdog ends the isolate. So a
   * loop there holds an isolated-vm thread (shared by every worker's async
   * calls) for two time limits at most, not until the instance is evicted.
   */
  private confirmAnswersLater(): void {
    if (this.confirmTimer !== undefined) {
      this.confirmTimer.refresh();
      return;
    }
    this.confirmTimer = setTimeout(() => void this.confirmAnswers(), this.spec.limits.timeoutMs);
    this.confirmTimer.unref();
  }

  private async confirmAnswers(): Promise<void> {
    if (this.disposed || this.inFlight > 0 || this.calls.syncSafe) return;
    // collect(0) reads nothing of a batch: it only has to run after them.
    const confirmed = await this.call(this.refs.collect, [0], 'work left running', this.spec.limits.timeoutMs);
    // Timed out: a continuation held the isolate. Calls open with nothing running: a continuation started work nothing awaits.
    if ('fault' in confirmed ? confirmed.fault === 'timeout' : this.calls.openCalls > 0 && this.inFlight === 0) this.calls.detach();
  }

  /**
   * `batch`: the token of the batch this call runs, whose settled results a timeout collects.
   *
   * The isolate runs one call at a time, in the order they were made, and
   * isolated-vm's `timeout` counts only a call's own running. The watchdog
   * starts once the calls made before this one have settled: started at
   * once, it counted the wait behind them (four 900 ms batches of one
   * CPU-bound plugin on one worker) as this call's time and ended the
   * isolate under all of them. A call that never settles is still caught,
   * by its own limit once those ahead of it are over (each bounded the same way).
   */
  private async call(ref: ivm.Reference, args: (string | number)[], hook: string, timeoutMs: number, batch?: number): Promise<CallResult> {
    let watchdogFired = false;
    let settled = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let disposal: ReturnType<typeof setTimeout> | undefined;
    let partialJson: string | undefined;
    this.lastUsed = Date.now();
    this.inFlight++;
    const answers = this.calls.answerMark();
    const arm = () => {
      if (settled) return;
      watchdog = setTimeout(() => {
        watchdogFired = true;
        // Ask for what already settled, but never wait on a busy isolate: a stuck
        // isolate would block the collect call itself.
        const collected = this.refs.collect.apply(undefined, [batch ?? 0], { result: { copy: true }, timeout: COLLECT_WAIT_MS }) as Promise<string>;
        collected.then((json) => { partialJson = json; }, () => undefined);
        disposal = setTimeout(() => this.dispose(), COLLECT_WAIT_MS);
      }, timeoutMs + WATCHDOG_GRACE_MS);
    };
    const ahead = [...this.running];
    let pending: Promise<string>;
    try {
      pending = ref.apply(undefined, args, { arguments: { copy: true }, result: { promise: true, copy: true }, timeout: timeoutMs }) as Promise<string>;
    } catch (err) {
      pending = Promise.reject(err);
    }
    this.running.add(pending);
    if (ahead.length === 0) arm();
    else void Promise.allSettled(ahead).then(arm);
    try {
      const json = await pending;
      // Settled after all (the watchdog's timer ran late, behind a busy thread): the isolate is not stuck, and other calls may be running on it.
      clearTimeout(disposal);
      this.calls.answersRan(answers);
      return { json };
    } catch (err) {
      const fault = classifyFault(err, watchdogFired, this.disposedUnderUs);
      this.dispose();
      return { fault, error: faultError(fault, hook, this.spec, err), partialJson };
    } finally {
      settled = true;
      clearTimeout(watchdog);
      this.running.delete(pending);
      this.inFlight--;
      if (this.inFlight === 0 && !this.calls.syncSafe) this.confirmAnswersLater();
    }
  }
}
