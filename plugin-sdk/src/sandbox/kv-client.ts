// Worker side of ctx.kv: requests go to the sandbox process's main thread on a
// BroadcastChannel (piscina gives workers no private port to their parent),
// replies come back on another, matched by id.
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { CHANNELS, type KvOp } from './protocol.ts';

export interface KvRequestMessage {
  id: string;
  plugin: string;
  op: KvOp;
  argsJson: string;
}

const KV_REPLY_TIMEOUT_MS = 30_000;

export class KvClient {
  private readonly requests = new BroadcastChannel(CHANNELS.kvRequest);
  private readonly replies = new BroadcastChannel(CHANNELS.kvReply);
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

  call(plugin: string, op: KvOp, argsJson: string): Promise<string> {
    const id = `${threadId}:${++this.seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(JSON.stringify({ ok: false, error: { name: 'PlexusError', code: 'PLEXUS_UNAVAILABLE', message: 'the kv store did not answer in time' } })), KV_REPLY_TIMEOUT_MS);
      const settle = (replyJson: string) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(replyJson);
      };
      this.pending.set(id, settle);
      this.requests.postMessage({ id, plugin, op, argsJson } satisfies KvRequestMessage);
    });
  }

  close(): void {
    this.requests.close();
    this.replies.close();
  }
}
