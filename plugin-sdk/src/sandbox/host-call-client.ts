// Worker side of the capabilities the host serves (ctx.kv; ctx.fetch in the
// test harness): requests go to the sandbox process's main thread on a
// BroadcastChannel (piscina gives workers no private port to their parent),
// replies come back on another, matched by id.
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { CHANNELS, type HostCall } from './protocol.ts';

export interface HostCallMessage {
  id: string;
  plugin: string;
  call: HostCall;
}

const REPLY_TIMEOUT_MS = 30_000;

export class HostCallClient {
  private readonly requests = new BroadcastChannel(CHANNELS.hostCallRequest);
  private readonly replies = new BroadcastChannel(CHANNELS.hostCallReply);
  private readonly pending = new Map<string, (replyJson: string) => void>();
  private seq = 0;

  constructor() {
    this.requests.unref();
    this.replies.unref();
    this.replies.onmessage = (event: unknown) => {
      const { id, replyJson } = (event as { data: { id: string; replyJson: string } }).data;
      this.pending.get(id)?.(replyJson);
    };
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
      this.requests.postMessage({ id, plugin, call } satisfies HostCallMessage);
    });
  }

  close(): void {
    this.requests.close();
    this.replies.close();
  }
}
