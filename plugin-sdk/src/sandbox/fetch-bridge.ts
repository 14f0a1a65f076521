// Worker side of ctx.fetch: the plugin's request arrives as JSON text, the
// guarded fetch enforces the grants, and the answer goes back as JSON text.
// Never throws: errors cross the boundary as data.
import { toErrorData } from '../errors.ts';
import { guardedFetch, type FetchRequestData } from '../capabilities/fetch.ts';
import type { PluginRuntimeSpec } from './protocol.ts';

export async function callFetch(spec: PluginRuntimeSpec, requestJson: string, onDenied: (target: string) => void): Promise<string> {
  try {
    const request = JSON.parse(requestJson) as FetchRequestData;
    const value = await guardedFetch(request, { allowedHosts: spec.capabilities.http, ...spec.limits.fetch }, { onDenied: (target: string) => onDenied(target) });
    return JSON.stringify({ ok: true, value });
  } catch (err) {
    return JSON.stringify({ ok: false, error: toErrorData(err, 'PLEXUS_UNAVAILABLE') });
  }
}
