// Piscina worker entry: one WorkerRuntime per thread, driven by runs (over
// the host's direct link, or as piscina tasks while it is down) and by the
// control broadcast (evictions, warm-ups), which piscina cannot address to
// every worker itself.
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { workerData } from 'piscina';
import { HostCallClient } from './host-call-client.ts';
import { CHANNELS, IDLE_CLEANUP_ACK, LATE_RESTART_ACK, WORKER_READY_ACK, type RunResult, type WorkerControl, type WorkerControlAck, type WorkerLinkAddress, type WorkerTask } from './protocol.ts';
import { SyncCallSlot } from './sync-call-watch.ts';
import { linkToHost } from './worker-link-client.ts';
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
const control = new BroadcastChannel(CHANNELS.control);
const acks = new BroadcastChannel(CHANNELS.controlAck);
// An instance replaced after its batch returned reaches the host at once, as an unsolicited ack: the plugin may never send another batch here.
const runtime = new WorkerRuntime(data.sdkSource, new HostCallClient(), data.fetchViaHost, slot, (restart) => {
  acks.postMessage({ id: LATE_RESTART_ACK, threadId, cleanups: [], instances: runtime.instanceCount, restarts: [restart] } satisfies WorkerControlAck);
});
control.unref();
acks.unref();

control.onmessage = (event: unknown) => {
  const message = (event as { data: WorkerControl }).data;
  if (message.kind === 'warm') {
    void runtime.warm(message.spec).then((warm) => {
      acks.postMessage({ id: message.id, threadId, cleanups: [], instances: runtime.instanceCount, warm } satisfies WorkerControlAck);
    });
    return;
  }
  const key = message.kind === 'evict' ? message.key : undefined;
  void runtime.evict(key).then((cleanups) => {
    acks.postMessage({ id: message.id, threadId, cleanups, instances: runtime.instanceCount } satisfies WorkerControlAck);
  });
};

if (data.link) linkToHost(data.link, runtime);

// Announce ourselves: only announced workers are counted when a broadcast waits for acks.
acks.postMessage({ id: WORKER_READY_ACK, threadId, cleanups: [], instances: 0 } satisfies WorkerControlAck);

// What an idle instance's cleanup hook logged or threw reaches the host too, as an unsolicited ack.
const idleTimer = setInterval(() => {
  void runtime.evictIdle(data.idleMs).then((cleanups) => {
    if (cleanups.length > 0) acks.postMessage({ id: IDLE_CLEANUP_ACK, threadId, cleanups, instances: runtime.instanceCount } satisfies WorkerControlAck);
  });
}, Math.max(1000, Math.min(data.idleMs, 60_000)));
idleTimer.unref();

export default async function handle(task: WorkerTask): Promise<RunResult | number> {
  if (task.kind === 'count') return runtime.instanceCount;
  return runtime.run(task.spec, task.eventsJson, task.count);
}
