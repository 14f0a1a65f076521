// The whole host ↔ sandbox-process ↔ worker protocol, in one place. Only plain
// data crosses: events and results travel as JSON strings (one parse per hop,
// no prototype games), errors as ErrorData. Every request carries an id that
// its reply echoes.
import type { ErrorData } from '../errors.ts';
import type { EffectiveCapabilities } from '../manifest/grants.ts';
import type { JsonObject, LogRecord } from '../types.ts';

/** Resource limits of one plugin instance, after the operator's ceiling was applied. */
export interface SandboxLimits {
  memoryMb: number;
  timeoutMs: number;
  /** Largest serialized `data` of one emitted event. */
  maxEmitBytes: number;
  /** Most events one execute may emit. */
  maxEmitsPerEvent: number;
  /** Largest serialized kv value. */
  maxKvValueBytes: number;
  /** Most log records kept per hook call; the rest are counted as dropped. */
  maxLogsPerCall: number;
  fetch: { maxResponseBytes: number; maxRequestBytes: number; timeoutMs: number; maxRedirects: number; allowPrivateNetwork: boolean };
}

/** Everything a worker needs to build an instance of one plugin version. */
export interface PluginRuntimeSpec {
  /** Unique per (name, version, code, config, grants, limits): instances are cached under it. */
  key: string;
  name: string;
  version: string;
  /** Absolute path of the extracted package. */
  root: string;
  /** `plexus.main`, relative to root. */
  main: string;
  config: JsonObject;
  capabilities: EffectiveCapabilities;
  /** Values of the granted secrets only. */
  secrets: Record<string, string>;
  limits: SandboxLimits;
}

/** What a plugin emitted: the host turns it into a full envelope once the outcome is durable. */
export interface EmittedRecord {
  type: string;
  /** JSON text of `data` (undefined when the plugin passed none). */
  data?: string;
  partitionkey?: string;
}

export type HookName = 'init' | 'execute' | 'cleanup';

/** Outcome of one hook call on one event (or of init/cleanup). */
export type CallOutcome =
  | { ok: true; emitted: EmittedRecord[]; logs: LogRecord[]; droppedLogs: number }
  | { ok: false; error: ErrorData; emitted: EmittedRecord[]; logs: LogRecord[]; droppedLogs: number };

/** Why an instance was thrown away; counted per plugin. */
/** Why an instance was replaced; `detached`: its plugin left kv or fetch calls running after its batch ended. */
export type RestartCause = 'timeout' | 'oom' | 'crash' | 'init-failed' | 'detached';

/** Host → sandbox process. `link` answers `booted`, before anything else: where its workers reach the host (worker-links.ts), null for nowhere. */
export type HostToSandbox =
  | { kind: 'link'; address: WorkerLinkAddress | null }
  | { kind: 'run'; id: number; spec: PluginRuntimeSpec; eventsJson: string; count: number }
  | { kind: 'evict'; id: number; key: string }
  | { kind: 'warm'; id: number; spec: PluginRuntimeSpec }
  | { kind: 'host-reply'; id: string; replyJson: string }
  | { kind: 'stats'; id: number }
  | { kind: 'shutdown'; id: number };

/** Sandbox process → host. `booted` comes first and asks for `link`. */
export type SandboxToHost =
  | { kind: 'booted' }
  | { kind: 'ready'; pid: number; threads: number }
  | { kind: 'run-result'; id: number; result: RunResult }
  | { kind: 'evicted'; id: number; cleanups: CleanupReport[] }
  | { kind: 'warmed'; id: number; reports: WarmReport[] }
  | { kind: 'host-call'; id: string; plugin: string; call: HostCall }
  | { kind: 'stats-result'; id: number; stats: SandboxStats }
  | { kind: 'shutdown-done'; id: number; cleanups: CleanupReport[] }
  /** Cleanups no request asked for: instances a worker evicted after idleMs unused. */
  | { kind: 'idle-cleanups'; cleanups: CleanupReport[] }
  /** Instances replaced outside any batch: see LateRestart. */
  | { kind: 'late-restarts'; restarts: LateRestart[] };

/**
 * An instance replaced after its batch had returned, so no batch result can
 * carry it: a worker disposed it when kv or fetch calls its plugin left
 * running reached the worker (host-call-gate.ts). Named by plugin and
 * version, as the host counts restarts.
 */
export interface LateRestart {
  key: string;
  plugin: string;
  version: string;
  cause: 'detached';
}

/**
 * Host ↔ one sandbox worker, over that worker's direct link (worker-links.ts):
 * runs only; everything else goes through the sandbox process. A worker's
 * first frame is its hello, which must carry the token the host gave the
 * sandbox process.
 */
export type HostToWorker = Extract<HostToSandbox, { kind: 'run' }>;
export type WorkerToHost =
  | { kind: 'hello'; token: string; pid: number; threadId: number }
  | { kind: 'run-result'; id: number; result: RunResult }
  | { kind: 'run-failed'; id: number; error: ErrorData };

/** Where the sandbox's workers reach the host directly, and the token that admits them. */
export interface WorkerLinkAddress {
  path: string;
  token: string;
}

/** Result of a batch: one outcome per event, in order, plus instance events to count. */
export interface RunResult {
  outcomes: CallOutcome[];
  restarts: { key: string; cause: RestartCause }[];
  denials: Denial[];
  /** Logs from init or from console.* outside any call. */
  instanceLogs: LogRecord[];
  /** When the instance could not even start: every outcome carries this error too. */
  loadError?: ErrorData;
}

export interface Denial {
  plugin: string;
  capability: 'kv' | 'emit' | 'http' | 'secrets';
  target: string;
  /** How many denials this entry stands for, when more than one: past a batch's cap, the rest of a capability's are tallied here (denial-list.ts). */
  count?: number;
}

/** One worker's instance of a warmed spec: started (load + init), or why not. */
export type WarmReport = { ok: true; instanceLogs: LogRecord[] } | { ok: false; error: ErrorData; instanceLogs: LogRecord[] };

export interface CleanupReport {
  key: string;
  /** The instance's plugin: a retired version is no longer one the host can look the key up in. */
  plugin: string;
  version: string;
  outcome: CallOutcome;
}

export type KvOp = 'get' | 'set' | 'delete' | 'incr';

/**
 * A capability the worker cannot serve itself and asks the host for: kv
 * always (the store lives in the host), fetch only when the host answers it
 * (the test harness's recorded fetch). Grants are checked before asking.
 */
export type HostCall = { capability: 'kv'; op: KvOp; argsJson: string } | { capability: 'fetch'; requestJson: string };

/** The reply to a host call, as JSON text. */
export type HostReply<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorData };

export interface SandboxStats {
  pid: number;
  rssBytes: number;
  threads: number;
  instances: number;
  utilization: number;
}

/** Piscina task (sandbox process main thread → worker) and its result. */
export type WorkerTask =
  | { kind: 'run'; spec: PluginRuntimeSpec; eventsJson: string; count: number }
  | { kind: 'count' };

/** Worker control (sandbox main → each worker, over its own port) and acknowledgements. */
export type WorkerControl =
  | { kind: 'evict'; id: number; key: string }
  | { kind: 'evict-all'; id: number }
  | { kind: 'warm'; id: number; spec: PluginRuntimeSpec };

/** The ack id of cleanups a worker ran on its own (idle eviction). */
export const IDLE_CLEANUP_ACK = -1;
/** The ack id of a late restart a worker reports on its own. */
export const LATE_RESTART_ACK = -2;

export interface WorkerControlAck {
  id: number;
  threadId: number;
  cleanups: CleanupReport[];
  instances: number;
  /** The answer to a 'warm' control message. */
  warm?: WarmReport;
  /** With LATE_RESTART_ACK. */
  restarts?: LateRestart[];
}

/** Batches one worker runs at once: piscina's concurrentTasksPerWorker in the sandbox process, and what the host sends over each worker's direct link. */
export const DEFAULT_TASKS_PER_WORKER = 4;

/** A worker's host call (kv; fetch in the test harness), relayed by the sandbox's main thread to the host. */
export interface HostCallMessage {
  id: string;
  plugin: string;
  call: HostCall;
}

// Each worker's own port to the sandbox's main thread, beside piscina's
// tasks: piscina gives the main thread no way to message one worker, and a
// BroadcastChannel (which did this before) makes each message a DOM
// MessageEvent, whose first use loads Node's bundled undici: ~65 ms of CPU
// in every thread of every sandbox start, as the process runs without Node's
// snapshot (isolated-vm needs --no-node-snapshot).

/** Sandbox main → one worker. */
export type MainToWorker =
  | { kind: 'control'; message: WorkerControl }
  | { kind: 'host-reply'; id: string; replyJson: string };

/** One worker → the sandbox's main thread. */
export type WorkerToMain =
  | { kind: 'ack'; ack: WorkerControlAck }
  | { kind: 'host-call'; message: HostCallMessage };
