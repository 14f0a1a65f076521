// One HTTP exchange on a socket pinned to checked addresses, and a body reader
// that never holds more than the limit. node:http/https directly, not global
// fetch, so the host decides the address, the redirects and the proxy (none).
import type { LookupAddress } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { PlexusError } from '../errors.ts';
import type { FetchDeadline } from './fetch-deadline.ts';
import type { OutgoingRequest } from './fetch-request.ts';
import type { PinnedAddress } from './fetch-resolve.ts';
import type { FetchTarget } from './fetch-target.ts';

// Not `import`: an ES import of node:http builds its module namespace from
// every export, which runs the lazy getters that load undici (~30 ms of each
// sandbox worker's start). getBuiltinModule hands over the module object as
// require() would. (With it, sandbox processes once aborted in isolated-vm as
// they exited: "Assertion `environment != nullptr'" in
// IsolateEnvironment::GetCurrent, 7 times in four runs of the sandbox,
// delivery and core tests. A sandbox whose host was gone ended itself with
// exit() then; it now ends with SIGKILL, no teardown (sandbox-process.ts), and
// three runs of those tests since gave none.)
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

/** Sends the request and resolves once the response head arrived; the caller owns (reads or destroys) the response. */
export function openResponse(target: FetchTarget, pinned: readonly PinnedAddress[], request: OutgoingRequest, deadline: FetchDeadline): Promise<IncomingMessage> {
  const secure = target.url.protocol === 'https:';
  // A private agent per exchange: no sockets shared with the host or other
  // plugins, and no proxy taken from the environment (the global agents honour
  // HTTP_PROXY under NODE_USE_ENV_PROXY / http.setGlobalProxyFromEnv).
  const agent = secure ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== null) headers['content-length'] = String(request.body.length);
  else if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') headers['content-length'] = '0';

  // Raced against the deadline as well as aborted by it: some ways a request ends
  // (a 101 answer, whose socket Node destroys without an error) never settle
  // the request's own events, and an aborted signal then has nothing to abort.
  return deadline.race(new Promise<IncomingMessage>((resolve, reject) => {
    const req = (secure ? https : http).request({
      protocol: target.url.protocol,
      // The name, not the address: Node derives SNI, certificate checks and the
      // Host header from it, while `lookup` below decides where the socket goes.
      host: target.connectHost,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      method: request.method,
      headers,
      agent,
      lookup: pinnedLookup(target.connectHost, pinned),
      signal: deadline.signal,
      // Pinned on, whatever NODE_TLS_REJECT_UNAUTHORIZED or --insecure-http-parser say for the host process.
      rejectUnauthorized: true,
      insecureHTTPParser: false,
    });
    req.once('response', resolve);
    // `on`, not `once`: a second error (e.g. an abort while the body streams) must not go unhandled.
    req.on('error', (err) => reject(networkError(err, target, deadline)));
    // A 101 (or any upgrade) hands over a raw socket nobody asked for: close it
    // and fail. Without this listener Node destroys the socket and emits nothing.
    req.once('upgrade', (_res: IncomingMessage, socket: Duplex) => {
      socket.destroy();
      reject(new PlexusError('PLEXUS_UNAVAILABLE', `fetch to ${target.label} failed: the server switched protocols`));
    });
    req.once('close', () => {
      agent.destroy();
      // A no-op once settled; otherwise the exchange ended without a response.
      reject(deadline.signal.aborted ? deadline.error() : new PlexusError('PLEXUS_UNAVAILABLE', `fetch to ${target.label} failed: the connection closed without a response`));
    });
    req.end(request.body ?? undefined);
  }));
}

/**
 * Reads the body as UTF-8, refusing past `maxBytes` as soon as the running count
 * says so, or before reading when Content-Length says so. `hasBody` is false for
 * HEAD and 204/304, whose Content-Length describes a body that is not sent.
 */
export async function readBodyBounded(res: IncomingMessage, hasBody: boolean, target: FetchTarget, maxBytes: number, deadline: FetchDeadline): Promise<string> {
  const declared = Number(res.headers['content-length']);
  if (hasBody && Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge(target, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res) {
      const buf = chunk as Buffer;
      total += buf.length;
      // Throwing inside for-await destroys the stream and with it the socket.
      if (total > maxBytes) throw tooLarge(target, maxBytes);
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof PlexusError) throw err;
    throw networkError(err, target, deadline);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/**
 * Answers Node's connect-time lookup with the checked addresses only. Node asks
 * with `all: true` for happy eyeballs (several addresses tried in turn); every
 * one offered was checked, so whichever connects is a checked one.
 */
function pinnedLookup(expected: string, pinned: readonly PinnedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = pinned.filter((p) => family === 0 || p.family === family);
    const first = usable[0];
    if (hostname !== expected || first === undefined) {
      callback(Object.assign(new Error(`no checked address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all === true) callback(null, usable.map((p): LookupAddress => ({ address: p.address, family: p.family })));
    else callback(null, first.address, first.family);
  };
}

function tooLarge(target: FetchTarget, maxBytes: number): PlexusError {
  return new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `fetch to ${target.label}: response body exceeds ${maxBytes} bytes`);
}

/** Transport failures carry only the error code to the plugin (not resolved addresses); the full error stays as `cause` for host logs. */
function networkError(err: unknown, target: FetchTarget, deadline: FetchDeadline): PlexusError {
  if (deadline.signal.aborted) return deadline.error();
  const code = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'network error';
  return new PlexusError('PLEXUS_UNAVAILABLE', `fetch to ${target.label} failed (${code})`, { cause: err });
}
