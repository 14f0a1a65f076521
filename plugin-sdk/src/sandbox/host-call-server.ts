// Host side of the capabilities the host serves (ctx.kv; ctx.fetch in the
// test harness): answers the host calls the sandbox process relays from its
// workers (host-call-client.ts) with the host's own handlers.
import { PlexusError, toErrorData } from '../errors.ts';
import type { FetchRequestData, FetchResponseData } from '../capabilities/fetch.ts';
import type { HostCall, HostReply, HostToSandbox, KvOp } from './protocol.ts';

/** The host's kv store, per plugin namespace. Values are JSON text; incr answers a number. */
export type KvHandler = (plugin: string, op: KvOp, args: unknown[]) => Promise<string | number | boolean | null>;

/** Answers ctx.fetch instead of the network, after the grant check (the test harness's recorded fetch). */
export type FetchHandler = (plugin: string, request: FetchRequestData) => Promise<FetchResponseData>;

export interface HostCallHandlers {
  kv?: KvHandler;
  fetch?: FetchHandler;
}

/** Serves call `id` and posts the reply; a handler that is missing or fails is answered as an error. */
export async function answerHostCall(handlers: HostCallHandlers, id: string, plugin: string, call: HostCall, post: (message: HostToSandbox) => void): Promise<void> {
  let reply: HostReply;
  try {
    reply = { ok: true, value: await serve(handlers, plugin, call) };
  } catch (err) {
    reply = { ok: false, error: toErrorData(err, 'PLEXUS_UNAVAILABLE') };
  }
  post({ kind: 'host-reply', id, replyJson: JSON.stringify(reply) });
}

function serve(handlers: HostCallHandlers, plugin: string, call: HostCall): Promise<unknown> {
  if (call.capability === 'kv') {
    if (!handlers.kv) throw new PlexusError('PLEXUS_UNAVAILABLE', 'this host has no kv store');
    return handlers.kv(plugin, call.op, JSON.parse(call.argsJson) as unknown[]);
  }
  if (!handlers.fetch) throw new PlexusError('PLEXUS_UNAVAILABLE', 'this host does not answer fetch');
  return handlers.fetch(plugin, JSON.parse(call.requestJson) as FetchRequestData);
}
