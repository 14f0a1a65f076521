// The state of one worker thread: at most one live instance per plugin key,
// created on first use. A batch whose instance dies (timeout, OOM, crash) is
// re-run one event at a time on fresh instances, so only the event that
// caused the fault carries it and its batch-mates are not charged an attempt.
import { toErrorData, type ErrorData } from '../errors.ts';
import { PluginInstance, type InstanceHooks } from './instance.ts';
import { HostCallGate } from './host-call-gate.ts';
import type { HostCallClient } from './host-call-client.ts';
import type { SyncCallSlot } from './sync-call-watch.ts';
import { checkBatch, checkOutcome, CLEAN_OK, failure, malformed } from './outcome-check.ts';
import { callFetch, callFetchViaHost, refuseOversized } from './fetch-bridge.ts';
import { createLookupTurns } from '../capabilities/fetch-lookup-turns.ts';
import { checkKvCall } from './kv-call-check.ts';
import { addDenial, mergeDenials } from './denial-list.ts';
import type { CallOutcome, CleanupReport, Denial, KvOp, LateRestart, PluginRuntimeSpec, RestartCause, RunResult, WarmReport } from './protocol.ts';

const KV_OPS = new Set<string>(['get', 'set', 'delete', 'incr']);
/** How long an eviction waits for in-flight calls on the old instance before running cleanup anyway. */
const EVICT_DRAIN_MS = 30_000;
/**
 * A batch whose JSON could take more than this share of its instance's
 * memoryLimit (2 bytes a UTF-16 unit at most) runs in parts: copied and
 * parsed whole it ended the instance for memory (restart cause `oom`) though
 * every event fitted. One length check; only such a batch is parsed here.
 */
const BATCH_MEMORY_SHARE = 1 / 4;

interface Slot {
  spec: PluginRuntimeSpec;
  instance: Promise<PluginInstance>;
  /** Set once `instance` resolved, so replacement decisions need no await. */
  current?: PluginInstance;
  denials: Denial[];
  /** Its instance's kv and fetch calls; closed once that instance is disposed or failed to start. */
  gate: HostCallGate;
}

export class WorkerRuntime {
  private readonly slots = new Map<string, Slot>();
  /** Per plugin name, what its latest instance's batches cost per event (CPU ms): where a new instance of it starts (sync-path.ts). */
  private readonly costs = new Map<string, number>();
  private readonly sdkSource: string;
  private readonly host: HostCallClient;
  private readonly fetchViaHost: boolean;
  private readonly syncCalls: SyncCallSlot | undefined;
  /** This thread's DNS lookups for plugins' fetches, a few at a time per plugin (fetch-lookup-turns.ts). */
  private readonly lookupTurns = createLookupTurns();
  /**
   * Instances a gate disposed for work left running after their batch had
   * returned (a sync batch's calls reach this thread only after it): no
   * batch result carries them, so they are reported on their own. Reporting
   * them with the plugin's next batch lost them when no batch came.
   */
  private readonly onLateRestart: (restart: LateRestart) => void;

  constructor(sdkSource: string, host: HostCallClient, fetchViaHost: boolean, syncCalls?: SyncCallSlot, onLateRestart: (restart: LateRestart) => void = () => undefined) {
    this.sdkSource = sdkSource;
    this.host = host;
    this.fetchViaHost = fetchViaHost;
    this.syncCalls = syncCalls;
    this.onLateRestart = onLateRestart;
  }

  get instanceCount(): number {
    return this.slots.size;
  }

  async run(spec: PluginRuntimeSpec, eventsJson: string, count: number): Promise<RunResult> {
    const budgetUnits = (spec.limits.memoryMb * 1024 * 1024 * BATCH_MEMORY_SHARE) / 2;
    if (count > 1 && eventsJson.length > budgetUnits) return this.runInParts(spec, eventsJson, budgetUnits);
    return this.runWhole(spec, eventsJson, count);
  }

  private async runWhole(spec: PluginRuntimeSpec, eventsJson: string, count: number): Promise<RunResult> {
    const result: RunResult = { outcomes: [], restarts: [], denials: [], instanceLogs: [] };
    let instance: PluginInstance;
    const slot = this.slotFor(spec);
    try {
      instance = await slot.instance;
    } catch (err) {
      this.slots.delete(spec.key);
      const error = toErrorData(err, 'PLEXUS_PLUGIN_LOAD_FAILED');
      result.restarts.push({ key: spec.key, cause: 'init-failed' });
      result.loadError = error;
      result.outcomes = Array.from({ length: count }, () => failure(error));
      return result;
    }
    result.instanceLogs.push(...instance.takeInitLogs());
    const call = await instance.runBatch(eventsJson, count);
    const cost = instance.perEventMs;
    if (cost !== undefined) this.costs.set(spec.name, cost);
    const checked = checkBatch('json' in call ? call.json : call.partialJson, count, spec, result.denials);
    mergeDenials(result.denials, slot.denials.splice(0));
    if (checked) result.instanceLogs.push(...checked.instanceLogs);
    if ('json' in call && checked && checked.outcomes.every((o) => o !== null)) {
      result.outcomes = checked.outcomes as CallOutcome[];
      // Calls still open with no other batch running on the instance: work the
      // plugin left behind, whose answers would run its code with no time
      // limit around it (a loop there would hold the isolate and then block
      // this thread). The batch's outcomes stand; the instance is replaced.
      // Counted by this worker as the calls arrived, never by the batch's
      // result, which plugin code can rewrite.
      if (instance.hostCallsOpen > 0 && instance.inFlight === 0) {
        this.drop(spec.key, instance);
        result.restarts.push({ key: spec.key, cause: 'detached' });
      }
      return result;
    }
    // The instance is gone (or its runner was tampered with): replace it.
    const cause: RestartCause = 'fault' in call ? call.fault : 'crash';
    const error: ErrorData = 'fault' in call ? call.error : malformed('batch result');
    this.drop(spec.key, instance);
    result.restarts.push({ key: spec.key, cause });
    if (count === 1) {
      result.outcomes = [failure(error)];
      return result;
    }
    const events = JSON.parse(eventsJson) as unknown[];
    for (let i = 0; i < count; i++) {
      const settled = checked?.outcomes[i];
      if (settled) {
        result.outcomes[i] = settled;
        continue;
      }
      const single = await this.run(spec, JSON.stringify([events[i]]), 1);
      result.outcomes[i] = single.outcomes[0] ?? failure(error);
      result.restarts.push(...single.restarts);
      mergeDenials(result.denials, single.denials);
      result.instanceLogs.push(...single.instanceLogs);
    }
    return result;
  }

  /**
   * A batch too big for its instance's memory, as consecutive batches each
   * within the share (an event over it alone), in order. Each event is
   * parsed and written once: halving again and again rewrote the whole batch
   * at every level.
   */
  private async runInParts(spec: PluginRuntimeSpec, eventsJson: string, budgetUnits: number): Promise<RunResult> {
    const parts: string[][] = [[]];
    let units = 0;
    for (const event of JSON.parse(eventsJson) as unknown[]) {
      const json = JSON.stringify(event);
      let part = parts[parts.length - 1] as string[];
      if (part.length > 0 && units + json.length + 1 > budgetUnits) {
        part = [];
        parts.push(part);
        units = 0;
      }
      part.push(json);
      units += json.length + 1;
    }
    const result: RunResult = { outcomes: [], restarts: [], denials: [], instanceLogs: [] };
    for (const part of parts) {
      if (result.loadError !== undefined) {
        // Its instance could not start: nor would it for the rest, which carry the same error.
        result.outcomes.push(...part.map(() => failure(result.loadError as ErrorData)));
        continue;
      }
      // Collected first: the previous part's events, still counted live, ended the instance for memory though each part fitted (PluginInstance.collectGarbage).
      if (result.outcomes.length > 0) await this.slots.get(spec.key)?.current?.collectGarbage();
      const done = await this.runWhole(spec, `[${part.join(',')}]`, part.length);
      result.outcomes.push(...done.outcomes);
      result.restarts.push(...done.restarts);
      mergeDenials(result.denials, done.denials);
      result.instanceLogs.push(...done.instanceLogs);
      if (done.loadError !== undefined) result.loadError = done.loadError;
    }
    return result;
  }

  /**
   * Starts this worker's instance of `spec` (load + init) before any batch
   * needs it, so a hot upgrade swaps to instances that are already serving
   * and init's failure is known before the swap. Init's logs are reported here.
   */
  async warm(spec: PluginRuntimeSpec): Promise<WarmReport> {
    const slot = this.slotFor(spec);
    try {
      const instance = await slot.instance;
      return { ok: true, instanceLogs: [...instance.takeInitLogs(), ...(await instance.takeInstanceLogs())] };
    } catch (err) {
      if (this.slots.get(spec.key) === slot) this.slots.delete(spec.key);
      return { ok: false, error: toErrorData(err, 'PLEXUS_PLUGIN_LOAD_FAILED'), instanceLogs: [] };
    }
  }

  /** Waits for in-flight calls, runs `cleanup`, disposes. `key` undefined = every instance. */
  async evict(key: string | undefined): Promise<CleanupReport[]> {
    const keys = key === undefined ? [...this.slots.keys()] : this.slots.has(key) ? [key] : [];
    return Promise.all(keys.map((k) => this.retire(k)));
  }

  /** Instance memory may be discarded at any time (CONTRACT §3): idle ones are, after cleanup. */
  async evictIdle(idleMs: number, now = Date.now()): Promise<CleanupReport[]> {
    const idle: string[] = [];
    for (const [key, slot] of this.slots) {
      const instance = await slot.instance.catch(() => undefined);
      if (instance && instance.inFlight === 0 && now - instance.lastUsed > idleMs) idle.push(key);
    }
    return Promise.all(idle.map((k) => this.retire(k)));
  }

  private async retire(key: string): Promise<CleanupReport> {
    const slot = this.slots.get(key) as Slot;
    this.slots.delete(key);
    const report = (outcome: CallOutcome): CleanupReport => ({ key, plugin: slot.spec.name, version: slot.spec.version, outcome });
    let instance: PluginInstance;
    try {
      instance = await slot.instance;
    } catch (err) {
      return report(failure(toErrorData(err, 'PLEXUS_PLUGIN_LOAD_FAILED')));
    }
    const deadline = Date.now() + EVICT_DRAIN_MS;
    while (instance.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (instance.disposed) return report(CLEAN_OK);
    const call = await instance.runHook('cleanup');
    instance.dispose();
    if ('fault' in call) return report(failure(call.error));
    let raw: unknown;
    try {
      raw = JSON.parse(call.json);
    } catch {
      raw = undefined;
    }
    return report(checkOutcome(raw, instance.spec, []));
  }

  private slotFor(spec: PluginRuntimeSpec): Slot {
    const existing = this.slots.get(spec.key);
    if (existing && !existing.gate.closed && !existing.current?.disposed) return existing;
    const denials: Denial[] = [];
    const gate: HostCallGate = new HostCallGate(() => this.detached(spec, gate));
    const slot: Slot = { spec, instance: PluginInstance.create(spec, this.sdkSource, this.hooks(spec, denials, gate), this.syncCalls, this.costs.get(spec.name)), denials, gate };
    // A failed start disposed its isolate: calls its init left open end with it.
    slot.instance.then((instance) => { slot.current = instance; }, () => gate.close());
    this.slots.set(spec.key, slot);
    return slot;
  }

  private detached(spec: PluginRuntimeSpec, gate: HostCallGate): void {
    if (this.slots.get(spec.key)?.gate === gate) this.slots.delete(spec.key);
    this.onLateRestart({ key: spec.key, plugin: spec.name, version: spec.version, cause: 'detached' });
  }

  private drop(key: string, instance: PluginInstance): void {
    instance.dispose();
    // Only forget the slot if a concurrent batch has not already replaced it.
    if (this.slots.get(key)?.current === instance) this.slots.delete(key);
  }

  private hooks(spec: PluginRuntimeSpec, denials: Denial[], gate: HostCallGate): InstanceHooks {
    const deny = (capability: Denial['capability'], target: string) => addDenial(denials, { plugin: spec.name, capability, target: target.slice(0, 256) });
    return {
      kv: (op, argsJson) =>
        gate.serve('kv', async () => {
          if (!spec.capabilities.kv || !KV_OPS.has(op)) {
            deny('kv', op);
            return JSON.stringify({ ok: false, error: { name: 'PlexusError', code: 'PLEXUS_CAPABILITY_DENIED', message: 'kv is not granted to this plugin' } });
          }
          const check = checkKvCall(op, argsJson, spec.limits.maxKvValueBytes);
          if (!check.ok) return JSON.stringify({ ok: false, error: check.error });
          return this.host.call(spec.name, { capability: 'kv', op: op as KvOp, argsJson });
        }, argsJson.length),
      fetch: (requestJson) => {
        // Before the slot: a call waiting for one holds its whole request here.
        const refused = refuseOversized(spec, requestJson, (target) => deny('http', target));
        if (refused !== undefined) return gate.refuse(refused);
        return gate.serve('fetch', (signal) =>
          this.fetchViaHost
            ? callFetchViaHost(spec, requestJson, (target) => deny('http', target), (call) => this.host.call(spec.name, call))
            : callFetch(spec, requestJson, (target) => deny('http', target), signal, { lookupTurns: this.lookupTurns }), requestJson.length);
      },
      denied: (capability, target) => {
        if (capability === 'emit' || capability === 'secrets' || capability === 'http' || capability === 'kv') deny(capability, target);
      },
      calls: gate,
    };
  }
}
