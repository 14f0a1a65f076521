// Defaults the host fills in on ingress (CONTRACT §5), so every later stage
// (router, scheduler, DLQ, replay) can rely on them being present.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { DATA_BASE64 } from './envelope-schema.ts';
import { DEFAULT_PRIORITY } from './priority.ts';
import { formatRfc3339 } from './rfc3339.ts';

export const DEFAULT_DATACONTENTTYPE = 'application/json';
// A base64 payload is by definition not JSON; claiming application/json for
// it would mislead the plugin, so unknown binary is labelled as such.
export const DEFAULT_BINARY_DATACONTENTTYPE = 'application/octet-stream';

/** The `datacontenttype` of an event that names none. */
export function defaultContentType(isBinary: boolean): string {
  return isBinary ? DEFAULT_BINARY_DATACONTENTTYPE : DEFAULT_DATACONTENTTYPE;
}

/** A copy of a validated event with `time`, `datacontenttype` and `priority` set. */
export function normalizeEnvelope(event: PlexusEvent, now: number): PlexusEvent {
  return {
    ...event,
    time: event.time ?? formatRfc3339(now),
    datacontenttype: event.datacontenttype ?? defaultContentType(Object.hasOwn(event, DATA_BASE64)),
    priority: event.priority ?? DEFAULT_PRIORITY,
  };
}
