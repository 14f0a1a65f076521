// The host side of ctx.fetch(url, init) (CONTRACT §4 `http`): plain data in,
// plain data out, and nothing reaches the network unless the operator granted
// that host:port, the name resolves to an address the policy allows, and the
// socket connects to exactly that checked address. Redirects re-run every
// check for their target. Each refusal is a PlexusError; denials are also
// reported through `onDenied` so the host can log and count them.
import type { IncomingMessage } from 'node:http';
import { PlexusError } from '../errors.ts';
import { startDeadline, type FetchDeadline } from './fetch-deadline.ts';
import { assertValidPolicy, type FetchPolicy } from './fetch-policy.ts';
import { normalizeRequest, redirectRequest, REDIRECT_STATUSES, type OutgoingRequest } from './fetch-request.ts';
import type { LookupTurns } from './fetch-lookup-turns.ts';
import { resolvePinned, systemLookup, type FetchLookup, type LookupTurn } from './fetch-resolve.ts';
import { checkTarget, type FetchTarget } from './fetch-target.ts';
import { openResponse, readBodyBounded } from './fetch-transport.ts';

export interface FetchRequestData {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface FetchResponseData {
  /** The final URL, after redirects, without its fragment. */
  url: string;
  status: number;
  statusText: string;
  /** Lower-case names, in the order received; repeated headers (Set-Cookie) stay separate. */
  headers: [string, string][];
  /** UTF-8 text. */
  body: string;
}

export interface FetchHooks {
  /** Replaces dns.lookup (all addresses); tests inject one so no real DNS is used. */
  lookup?: FetchLookup;
  /** Called once per denial with "host:port" (or the refused scheme) and why; the host logs and counts it. */
  onDenied?(target: string, reason: string): void;
  /**
   * Whose fetch this is (the sandbox gives the plugin's name): with
   * `lookupTurns`, its DNS lookups take turns with every other caller's, a
   * few at a time (fetch-lookup-turns.ts), since each holds a thread of the
   * process's libuv pool until it settles. Without both, lookups are not limited.
   */
  caller?: string;
  /** The turns `caller` waits for: the sandbox worker's (one per worker thread). */
  lookupTurns?: LookupTurns;
  /** Cancels the fetch, e.g. when the plugin instance is discarded; it rejects with PLEXUS_UNAVAILABLE. */
  signal?: AbortSignal;
}

export async function guardedFetch(request: FetchRequestData, policy: FetchPolicy, hooks: FetchHooks = {}): Promise<FetchResponseData> {
  assertValidPolicy(policy);
  const deadline = startDeadline(policy.timeoutMs, hooks.signal);
  try {
    const turn: LookupTurn | undefined = hooks.caller === undefined || hooks.lookupTurns === undefined ? undefined : { turns: hooks.lookupTurns, caller: hooks.caller };
    return await fetchWithin(request, policy, hooks.lookup ?? systemLookup, deadline, turn);
  } catch (err) {
    if (err instanceof PlexusError && err.code === 'PLEXUS_CAPABILITY_DENIED') reportDenial(err, hooks);
    throw err;
  } finally {
    deadline.dispose();
  }
}

async function fetchWithin(request: FetchRequestData, policy: FetchPolicy, lookup: FetchLookup, deadline: FetchDeadline, turn: LookupTurn | undefined): Promise<FetchResponseData> {
  let { target, outgoing } = checkRequest(request, policy);
  for (let redirects = 0; ; redirects++) {
    const pinned = await resolvePinned(target, policy.allowPrivateNetwork === true, lookup, deadline, turn);
    const res = await openResponse(target, pinned, outgoing, deadline);
    const location = res.headers.location;
    const status = res.statusCode ?? 0;
    if (!REDIRECT_STATUSES.has(status) || location === undefined) {
      const hasBody = outgoing.method !== 'HEAD' && status !== 204 && status !== 304;
      return toResponseData(target, res, await readBodyBounded(res, hasBody, target, policy.maxResponseBytes, deadline));
    }
    // A redirect's body is never read: it is discarded with its socket.
    res.destroy();
    if (redirects >= policy.maxRedirects) {
      throw new PlexusError('PLEXUS_UNAVAILABLE', `fetch to ${target.label} failed: more than ${policy.maxRedirects} redirects`);
    }
    const next = checkTarget(location, target.url, policy.allowedHosts);
    outgoing = redirectRequest(outgoing, status, next.url.origin === target.url.origin);
    target = next;
  }
}

/**
 * The checks a request passes before anything is sent, in order. Also run by
 * the sandbox on an oversized request before it waits for an open fetch
 * (fetch-bridge.ts), so it is refused there with the same error.
 */
export function checkRequest(request: unknown, policy: Pick<FetchPolicy, 'allowedHosts' | 'maxRequestBytes'>): { target: FetchTarget; outgoing: OutgoingRequest } {
  if (typeof request !== 'object' || request === null || typeof (request as { url?: unknown }).url !== 'string') {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', 'fetch: url must be a string');
  }
  const fields = request as FetchRequestData;
  // The target first: an ungranted host is a denial to report, whatever else is wrong with the request.
  const target = checkTarget(fields.url, undefined, policy.allowedHosts);
  return { target, outgoing: normalizeRequest(fields, policy.maxRequestBytes) };
}

/** Strings, numbers and arrays only: this object is copied into the sandbox as is. */
function toResponseData(target: FetchTarget, res: IncomingMessage, body: string): FetchResponseData {
  const headers: [string, string][] = [];
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([String(raw[i]).toLowerCase(), String(raw[i + 1])]);
  const url = new URL(target.url.href);
  url.hash = '';
  return { url: url.href, status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers, body };
}

/** Tells `hooks.onDenied` of a PLEXUS_CAPABILITY_DENIED (its target and why), never letting the hook's own failure replace the denial. */
export function reportDenial(err: PlexusError, hooks: Pick<FetchHooks, 'onDenied'>): void {
  const target = typeof err.details?.target === 'string' ? err.details.target : 'unknown';
  const reason = typeof err.details?.reason === 'string' ? err.details.reason : err.message;
  try {
    hooks.onDenied?.(target, reason);
  } catch {
    // A failing log/metrics hook must not turn a denial into a different error for the plugin.
  }
}
