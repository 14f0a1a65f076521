// Piscina worker entry: one WorkerRuntime per thread, driven by runs (over
// the host's direct link, or as piscina tasks while it is down) and by
// control messages (evictions, warm-ups) on the worker's own port to the
// sandbox's main thread (worker-port.ts), which piscina cannot address to
// one worker itself.
import { threadId } from 'node:worker_threads';
import { workerData } from 'piscina';
import { HostCallClient } from './host-call-client.ts';
import { IDLE_CLEANUP_ACK, LATE_RESTART_ACK, type MainToWorker, type RunResult, type WorkerControl, type WorkerControlAck, type WorkerLinkAddress, type WorkerTask } from './protocol.ts';
import { SyncCallSlot } from './sync-call-watch.ts';
import { linkToHost } from './worker-link-client.ts';
import { openWorkerPort } from './worker-port.ts';
import { WorkerRuntime } from './worker-runtime.ts';

interface SandboxWorkerData {
  sdkSource: string;
  idleMs: number;
  fetchViaHost: boolean;
  /** See sync-call-watch.ts. */
  syncCalls: SharedArrayBuffer;
  /** The host's direct link for runs (worker-links.ts); absent: runs come as piscina tasks only. */
  link?: WorkerLinkAddress;
}

const data = workerData as SandboxWorkerData;
const slot = SyncCallSlot.claim(data.syncCalls, threadId);
process.on('exit', () => slot?.release());
const port = openWorkerPort((message: MainToWorker) => {
  if (message.kind === 'host-reply') hostCalls.reply(message.id, message.replyJson);
  else onControl(message.message);
});
const ack = (value: WorkerControlAck) => port.send({ kind: 'ack', ack: value });
const hostCalls = new HostCallClient(port.send);
// An instance replaced after its batch returned reaches the host at once, as an unsolicited ack: the plugin may never send another batch here.
const runtime = new WorkerRuntime(data.sdkSource, hostCalls, data.fetchViaHost, slot, (restart) => {
  ack({ id: LATE_RESTART_ACK, threadId, cleanups: [], instances: runtime.instanceCount, restarts: [restart] });
});

function onControl(message: WorkerControl): void {
  if (message.kind === 'warm') {
    void runtime.warm(message.spec).then((warm) => {
      ack({ id: message.id, threadId, cleanups: [], instances: runtime.instanceCount, warm });
    });
    return;
  }
  const key = message.kind === 'evict' ? message.key : undefined;
  void runtime.evict(key).then((cleanups) => {
    ack({ id: message.id, threadId, cleanups, instances: runtime.instanceCount });
  });
}

if (data.link) linkToHost(data.link, runtime);

// Announce ourselves: only announced workers get control messages and are waited for.
port.announce();

// What an idle instance's cleanup hook logged or threw reaches the host too, as an unsolicited ack.
const idleTimer = setInterval(() => {
  void runtime.evictIdle(data.idleMs).then((cleanups) => {
    if (cleanups.length > 0) ack({ id: IDLE_CLEANUP_ACK, threadId, cleanups, instances: runtime.instanceCount });
  });
}, Math.max(1000, Math.min(data.idleMs, 60_000)));
idleTimer.unref();

export default async function handle(task: WorkerTask): Promise<RunResult | number> {
  if (task.kind === 'count') return runtime.instanceCount;
  return runtime.run(task.spec, task.eventsJson, task.count);
}
