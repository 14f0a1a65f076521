// Worker side of the capabilities the host serves (ctx.kv; ctx.fetch in the
// test harness): requests go to the sandbox process's main thread over the
// worker's own port (worker-port.ts), and replies come back there, matched
// by id. An id names the worker's thread, so the main thread knows where a
// reply goes (hostCallThread).
import { threadId } from 'node:worker_threads';
import type { HostCall, WorkerToMain } from './protocol.ts';

const REPLY_TIMEOUT_MS = 30_000;

/** The thread whose HostCallClient made call `id`. */
export function hostCallThread(id: string): number {
  return Number.parseInt(id, 10);
}

export class HostCallClient {
  private readonly pending = new Map<string, (replyJson: string) => void>();
  private seq = 0;
  private readonly send: (message: WorkerToMain) => void;

  constructor(send: (message: WorkerToMain) => void) {
    this.send = send;
  }

  call(plugin: string, call: HostCall): Promise<string> {
    const id = `${threadId}:${++this.seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(JSON.stringify({ ok: false, error: { name: 'PlexusError', code: 'PLEXUS_UNAVAILABLE', message: `the host did not answer a ${call.capability} call in time` } })), REPLY_TIMEOUT_MS);
      const settle = (replyJson: string) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(replyJson);
      };
      this.pending.set(id, settle);
      this.send({ kind: 'host-call', message: { id, plugin, call } });
    });
  }

  /** The host's reply to call `id` (ignored once that call timed out). */
  reply(id: string, replyJson: string): void {
    this.pending.get(id)?.(replyJson);
  }
}
