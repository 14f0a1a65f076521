// Worker side of ctx.fetch: the plugin's request arrives as JSON text, the
// guarded fetch enforces the grants, and the answer goes back as JSON text.
// Never throws: errors cross the boundary as data.
import { PlexusError, toErrorData } from '../errors.ts';
import { guardedFetch, type FetchRequestData } from '../capabilities/fetch.ts';
import { checkTarget } from '../capabilities/fetch-target.ts';
import type { HostCall, PluginRuntimeSpec } from './protocol.ts';

/** `signal`: the instance's, aborted when it is disposed, so its fetches end with it instead of running to their own time limit. */
export async function callFetch(spec: PluginRuntimeSpec, requestJson: string, onDenied: (target: string) => void, signal?: AbortSignal): Promise<string> {
  try {
    const request = JSON.parse(requestJson) as FetchRequestData;
    const value = await guardedFetch(request, { allowedHosts: spec.capabilities.http, ...spec.limits.fetch }, { onDenied: (target: string) => onDenied(target), signal });
    return JSON.stringify({ ok: true, value });
  } catch (err) {
    return JSON.stringify({ ok: false, error: toErrorData(err, 'PLEXUS_UNAVAILABLE') });
  }
}

/** The test harness's fetch: the same grant check, then the host answers instead of the network. */
export async function callFetchViaHost(spec: PluginRuntimeSpec, requestJson: string, onDenied: (target: string) => void, ask: (call: HostCall) => Promise<string>): Promise<string> {
  try {
    const request = JSON.parse(requestJson) as FetchRequestData;
    checkTarget(String(request.url), undefined, spec.capabilities.http);
  } catch (err) {
    if (err instanceof PlexusError && err.code === 'PLEXUS_CAPABILITY_DENIED') onDenied(String((err.details as { target?: string } | undefined)?.target ?? 'unknown'));
    return JSON.stringify({ ok: false, error: toErrorData(err, 'PLEXUS_INVALID_REQUEST') });
  }
  return ask({ capability: 'fetch', requestJson });
}
