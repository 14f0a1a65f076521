// Worker side of ctx.fetch: the plugin's request arrives as JSON text, the
// guarded fetch enforces the grants, and the answer goes back as text.
// Never throws: errors cross the boundary as data.
//
// A response's answer is its JSON metadata, a line break, then the body as it
// is (isolate-bootstrap.ts splits it at the first line break: JSON.stringify
// never writes a raw one). Inside JSON each control byte of the body became
// six characters (\u0001): a 5 MB body was a 30 MB answer, held in the worker
// outside memoryMb and copied into the isolate. Beside it, the answer is the
// body's length plus a few hundred characters, whatever the bytes are. Every
// other answer (errors, refusals, the test harness's) is plain JSON.
import { PlexusError, toErrorData } from '../errors.ts';
import { checkRequest, guardedFetch, reportDenial, type FetchHooks, type FetchRequestData } from '../capabilities/fetch.ts';
import type { HostCall, PluginRuntimeSpec } from './protocol.ts';

/**
 * `signal`: the instance's, aborted when it is disposed, so its fetches end
 * with it instead of running to their own time limit. The plugin's name is
 * the caller its DNS lookups take turns as (fetch-lookup-turns.ts): each holds
 * a thread of the process's libuv pool until it settles. `dns`: tests replace
 * the resolver and the turns.
 */
export async function callFetch(spec: PluginRuntimeSpec, requestJson: string, onDenied: (target: string) => void, signal?: AbortSignal, dns: Pick<FetchHooks, 'lookup' | 'lookupTurns'> = {}): Promise<string> {
  try {
    const request = JSON.parse(requestJson) as FetchRequestData;
    const { body, ...meta } = await guardedFetch(request, { allowedHosts: spec.capabilities.http, ...spec.limits.fetch }, { ...dns, onDenied: (target: string) => onDenied(target), signal, caller: spec.name });
    return `${JSON.stringify({ ok: true, value: meta })}\n${body}`;
  } catch (err) {
    return JSON.stringify({ ok: false, error: toErrorData(err, 'PLEXUS_UNAVAILABLE') });
  }
}

/**
 * The answer to a request whose body is over maxRequestBytes, given before
 * the call waits for one of its instance's open fetch slots: up to 1,024
 * calls may wait, and each holds its request in the worker meanwhile. The
 * same checks as the fetch itself, in its order (an ungranted host is a
 * counted denial, whatever else is wrong), so the answer is the one the call
 * would have got later. undefined: not oversized, the call takes its turn.
 */
export function refuseOversized(spec: PluginRuntimeSpec, requestJson: string, onDenied: (target: string) => void): string | undefined {
  const maxRequestBytes = spec.limits.fetch.maxRequestBytes;
  // Each UTF-16 unit of the body is at least one character of the JSON and at
  // most 3 UTF-8 bytes: a short request cannot hold an oversized body, and is
  // not parsed twice.
  if (requestJson.length * 3 <= maxRequestBytes) return undefined;
  let request: unknown;
  try {
    request = JSON.parse(requestJson);
  } catch {
    return undefined; // callFetch answers it
  }
  const body = typeof request === 'object' && request !== null ? (request as { body?: unknown }).body : undefined;
  if (typeof body !== 'string' || Buffer.byteLength(body, 'utf8') <= maxRequestBytes) return undefined;
  try {
    checkRequest(request, { allowedHosts: spec.capabilities.http, maxRequestBytes });
  } catch (err) {
    if (err instanceof PlexusError && err.code === 'PLEXUS_CAPABILITY_DENIED') reportDenial(err, { onDenied });
    return JSON.stringify({ ok: false, error: toErrorData(err, 'PLEXUS_INVALID_REQUEST') });
  }
  return undefined;
}

/**
 * The test harness's fetch: every check the real fetch makes before it sends
 * anything (checkRequest: grant, URL form and length, method, headers, body
 * type and size), so a request production would refuse fails the author's
 * unit test with the same code; then the host answers instead of the network,
 * given the request as the plugin wrote it.
 */
export async function callFetchViaHost(spec: PluginRuntimeSpec, requestJson: string, onDenied: (target: string) => void, ask: (call: HostCall) => Promise<string>): Promise<string> {
  try {
    checkRequest(JSON.parse(requestJson), { allowedHosts: spec.capabilities.http, maxRequestBytes: spec.limits.fetch.maxRequestBytes });
  } catch (err) {
    if (err instanceof PlexusError && err.code === 'PLEXUS_CAPABILITY_DENIED') reportDenial(err, { onDenied });
    return JSON.stringify({ ok: false, error: toErrorData(err, 'PLEXUS_INVALID_REQUEST') });
  }
  return ask({ capability: 'fetch', requestJson });
}
