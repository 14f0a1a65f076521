// The one ingress entry point: a parsed body becomes a normalised envelope,
// whether it already was a CloudEvent or not.
import type { JsonValue, PlexusEvent } from '@plexus/plugin-sdk';
import { isCloudEvent } from './is-cloud-event.ts';
import { normalizeEnvelope } from './normalize-envelope.ts';
import { validateEnvelope } from './validate-envelope.ts';
import { wrapPlainBody, type IngressContext } from './wrap-plain-body.ts';

export function toEnvelope(body: JsonValue | Uint8Array, context: IngressContext): PlexusEvent {
  return isCloudEvent(body) ? normalizeEnvelope(validateEnvelope(body), context.now) : wrapPlainBody({ ...context, body });
}
