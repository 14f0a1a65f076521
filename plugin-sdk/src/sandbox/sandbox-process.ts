// Entry of the sandbox child process. Plugins run here, in a piscina pool of
// worker threads, never in the host process: some isolate OOMs abort the whole
// process (isolated-vm #107, #527), and that must cost the host one respawn,
// not its life. `--no-node-snapshot` is on this process's command line, which
// is where isolated-vm needs it.
import { availableParallelism } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { loadSdkSource } from './sdk-source.ts';
import { createSyncCallWatch, overdueCall } from './sync-call-watch.ts';
import { hostChannel } from './host-channel.ts';
import { lowerPriority } from './process-priority.ts';
import { ownModule } from './own-module.ts';
import { rerunAfterCrash } from './rerun-after-crash.ts';
import { hostCallThread } from './host-call-client.ts';
import { workerHello } from './worker-port.ts';
import { DEFAULT_TASKS_PER_WORKER, IDLE_CLEANUP_ACK, LATE_RESTART_ACK, type CleanupReport, type HostToSandbox, type MainToWorker, type PluginRuntimeSpec, type RunResult, type SandboxToHost, type WorkerControl, type WorkerControlAck, type WorkerLinkAddress, type WorkerTask, type WorkerToMain } from './protocol.ts';

export interface SandboxProcessOptions {
  threads?: number;
  /** ctx.fetch is answered by the host (test harness) instead of the network. */
  fetchViaHost?: boolean;
  idleMs?: number;
  concurrentTasksPerWorker?: number;
  /**
   * How many nice steps (0-19) below the host the sandbox process runs:
   * plugin code yields the CPU to the host when both want it. Unset or 0: the
   * host's own priority.
   */
  nice?: number;
}

// Only the host stops this process: its 'shutdown' message, or its IPC
// channel closing (the host died). A terminal's Ctrl-C and systemd's stop
// (KillMode=control-group) signal the whole process group, and dying on
// that signal would fail the batches the host's graceful stop is still
// letting finish, charge them to their plugins as crashes and skip every
// cleanup hook.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});

const CONTROL_TIMEOUT_MS = 40_000;
/** How long start-up waits for every worker to announce itself before reporting ready anyway. */
const WORKERS_READY_TIMEOUT_MS = 10_000;
const options = JSON.parse(process.argv[2] ?? '{}') as SandboxProcessOptions;
const threads = options.threads ?? availableParallelism();
// How this process ends, whenever it ends on its own: exit()'s teardown of
// worker threads that have run isolates can abort inside isolated-vm
// (IsolateEnvironment::GetCurrent asserts), printing a stack on the
// operator's terminal; ended as the kernel would, no teardown runs.
const endNow = (): void => {
  process.kill(process.pid, 'SIGKILL');
};
// The host is gone (its channel closed, or a write to it failed): do not
// linger as an orphan; nothing is left to report to.
const send = hostChannel<SandboxToHost>(process, endNow);

const syncCalls = createSyncCallWatch();
// Where the workers reach the host directly (worker-links.ts): the host's
// first message, over the IPC channel, which no other process can read (the
// environment and the command line can be read from /proc). The pool is
// created after it, since its workers get the address with their workerData.
const link = await new Promise<WorkerLinkAddress | undefined>((resolve) => {
  const onFirst = (message: HostToSandbox) => {
    if (message.kind !== 'link') return;
    process.off('message', onFirst);
    resolve(message.address ?? undefined);
  };
  process.on('message', onFirst);
  // Asked for only now that something listens: a message that arrived earlier would have found no listener.
  send({ kind: 'booted' });
});

// Before the pool: its worker threads inherit this thread's priority (process-priority.ts).
if (options.nice !== undefined && options.nice > 0) {
  const failed = lowerPriority(options.nice);
  if (failed !== undefined) process.stderr.write(`plexus sandbox: could not lower the sandbox's priority by ${options.nice} nice steps; plugins run at the host's priority: ${failed}\n`);
}

const pool = new Piscina<WorkerTask, RunResult | number>({
  filename: ownModule('./worker', import.meta.url).href,
  minThreads: threads,
  maxThreads: threads,
  idleTimeout: 2 ** 31 - 1,
  concurrentTasksPerWorker: options.concurrentTasksPerWorker ?? DEFAULT_TASKS_PER_WORKER,
  // 'sync' would park idle workers in Atomics.wait, deaf to the control channel.
  atomics: 'async',
  workerData: { sdkSource: await loadSdkSource(), idleMs: options.idleMs ?? 5 * 60_000, fetchViaHost: options.fetchViaHost === true, syncCalls, ...(link ? { link } : {}) },
});

/** A broadcast waiting for acks: takes one, or stops waiting for a worker whose thread ended before it answered. */
interface AckWait {
  ack(ack: WorkerControlAck): void;
  gone(threadId: number): void;
}
const waitingAcks = new Map<number, AckWait>();
// The port of each worker that has loaded and listens for control messages
// (worker-port.ts). A broadcast waits for exactly these: a thread still
// starting would never answer.
const liveWorkers = new Map<number, MessagePort>();
let announced: () => void = () => undefined;
const allAnnounced = new Promise<void>((resolve) => { announced = resolve; });
pool.on('message', (message: unknown) => {
  const hello = workerHello(message);
  if (hello === undefined) return;
  const { plexusWorkerPort: port, threadId } = hello;
  liveWorkers.set(threadId, port);
  port.on('message', (from: WorkerToMain) => {
    if (from.kind === 'ack') onAck(from.ack);
    else send({ kind: 'host-call', ...from.message });
  });
  // The worker's thread ended, whether piscina ended it or it died: its end of
  // the port went with it. Not piscina's workerDestroy: the worker it names
  // has no threadId (only an id, which is -1 once the thread has exited).
  port.on('close', () => {
    if (liveWorkers.get(threadId) === port) liveWorkers.delete(threadId);
    for (const wait of waitingAcks.values()) wait.gone(threadId);
  });
  if (liveWorkers.size >= threads) announced();
});
// A worker stuck in a sync call past its deadline is lost with its isolate (sync-call-watch.ts): end the process, as onCatastrophicError would.
const syncWatch = setInterval(() => {
  const overdue = overdueCall(syncCalls, (threadId) => liveWorkers.has(threadId));
  if (overdue === undefined) return;
  process.stderr.write(`plexus sandbox: worker ${overdue.threadId} has been inside a plugin call ${overdue.ms} ms past its time limit; V8 lost control of that isolate; aborting the sandbox process\n`);
  process.kill(process.pid, 'SIGABRT');
}, 250);
syncWatch.unref();
function onAck(ack: WorkerControlAck): void {
  if (ack.id === IDLE_CLEANUP_ACK) {
    send({ kind: 'idle-cleanups', cleanups: ack.cleanups });
    return;
  }
  if (ack.id === LATE_RESTART_ACK) {
    send({ kind: 'late-restarts', restarts: ack.restarts ?? [] });
    return;
  }
  waitingAcks.get(ack.id)?.ack(ack);
}

/** Broadcasts a control message and gathers one ack per live worker, but for workers that end first (or stops waiting at the deadline). */
function broadcast(message: WorkerControl): Promise<WorkerControlAck[]> {
  // By thread: a worker that dies before it answers is no longer waited for (piscina starts another, which never got the message).
  const waiting = new Set(liveWorkers.keys());
  const received: WorkerControlAck[] = [];
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      waitingAcks.delete(message.id);
      resolve(received);
    };
    const timer = setTimeout(finish, CONTROL_TIMEOUT_MS);
    waitingAcks.set(message.id, {
      ack: (ack) => {
        received.push(ack);
        waiting.delete(ack.threadId);
        if (waiting.size === 0) finish();
      },
      gone: (threadId) => {
        if (waiting.delete(threadId) && waiting.size === 0) finish();
      },
    });
    if (waiting.size === 0) finish();
    else for (const port of liveWorkers.values()) port.postMessage({ kind: 'control', message } satisfies MainToWorker);
  });
}

const cleanupsOf = (acks: WorkerControlAck[]): CleanupReport[] => acks.flatMap((ack) => ack.cleanups);

/** `rerun`: one event of a batch a worker died under, charged if it dies again. */
async function runTask(spec: PluginRuntimeSpec, eventsJson: string, count: number, rerun = false): Promise<RunResult> {
  try {
    return (await pool.run({ kind: 'run', spec, eventsJson, count })) as RunResult;
  } catch (err) {
    // The worker thread died under this batch; piscina has already replaced it.
    // Other tasks may have been running on it, so a lone event is re-run once before it is charged.
    const error = { name: 'PlexusError', code: 'PLEXUS_SANDBOX_CRASHED', message: `a sandbox worker died: ${err instanceof Error ? err.message : String(err)}` };
    return rerunAfterCrash(spec, eventsJson, count, error, (eventJson) => runTask(spec, eventJson, 1, true), rerun);
  }
}

async function run(message: Extract<HostToSandbox, { kind: 'run' }>): Promise<void> {
  send({ kind: 'run-result', id: message.id, result: await runTask(message.spec, message.eventsJson, message.count) });
}

process.on('message', (message: HostToSandbox) => {
  switch (message.kind) {
    case 'run':
      void run(message);
      break;
    case 'host-reply':
      // A worker gone since it asked gets nothing: its call timed out or died with it.
      liveWorkers.get(hostCallThread(message.id))?.postMessage({ kind: 'host-reply', id: message.id, replyJson: message.replyJson } satisfies MainToWorker);
      break;
    case 'evict':
      void broadcast({ kind: 'evict', id: message.id, key: message.key }).then((acks) => send({ kind: 'evicted', id: message.id, cleanups: cleanupsOf(acks) }));
      break;
    case 'warm':
      void broadcast({ kind: 'warm', id: message.id, spec: message.spec }).then((acks) => send({ kind: 'warmed', id: message.id, reports: acks.flatMap((ack) => (ack.warm ? [ack.warm] : [])) }));
      break;
    case 'stats':
      send({ kind: 'stats-result', id: message.id, stats: { pid: process.pid, rssBytes: process.memoryUsage.rss(), threads: pool.threads.length, instances: 0, utilization: pool.utilization } });
      break;
    case 'shutdown':
      // Every instance's cleanup has run once evict-all is answered; once the
      // report is written nothing is left to do: endNow, not pool.destroy() and
      // exit() (seen aborting in a CI run after a close). That does not flush
      // what a worker wrote to stderr just before its ack, as terminate()
      // would; workers report through acks, not stderr.
      void broadcast({ kind: 'evict-all', id: message.id }).then((acks) => {
        process.send?.({ kind: 'shutdown-done', id: message.id, cleanups: cleanupsOf(acks) } satisfies SandboxToHost, endNow);
      });
      break;
  }
});
await Promise.race([allAnnounced, new Promise((resolve) => setTimeout(resolve, WORKERS_READY_TIMEOUT_MS).unref())]);
send({ kind: 'ready', pid: process.pid, threads });
