// Ingress must tell a CloudEvent body (validated as such) from any other body
// (wrapped). `specversion` is the one attribute only a CloudEvent has, so its
// presence decides: a body that claims to be a CloudEvent and is malformed is
// refused, never silently wrapped.
import { PlexusError } from '@plexus/plugin-sdk';
import { isPlainObject } from './validate-envelope.ts';

export function isCloudEvent(body: unknown): body is Record<string, unknown> {
  return isPlainObject(body) && Object.hasOwn(body, 'specversion');
}

// The bindings (HTTP, AMQP) mark structured mode by a content type starting
// with `application/cloudevents`: the body *is* the event (or, for
// `-batch`, a list of events), never a payload. Such a body that reaches the
// wrapper failed isCloudEvent; wrapping it would hand plugins one event whose
// data is the sender's whole event, or a whole batch, instead of refusing it.
const STRUCTURED_MODE = /^\s*application\/cloudevents(-batch)?(?=[+;\s]|$)/i;

/** Throws PLEXUS_INVALID_EVENT when a transport's content type says the body is a CloudEvent (or a batch): it is not wrapped as data. */
export function assertNotStructuredMode(contentType: unknown): void {
  if (typeof contentType !== 'string') return;
  const m = STRUCTURED_MODE.exec(contentType);
  if (m === null) return;
  const message = m[1] !== undefined
    ? 'declares a CloudEvents batch, which is not supported: send one event per message'
    : 'is the content type of a whole CloudEvent (structured mode), not of a payload to wrap: such a body must be a JSON CloudEvent with specversion';
  const problems = [{ path: 'datacontenttype', message }];
  throw new PlexusError('PLEXUS_INVALID_EVENT', `Invalid event: datacontenttype ${message}`, { details: { problems } });
}
