// Whether the attributes an ingress sets itself (id, source, type) are valid
// without running the envelope schema: a cheap check for the common case,
// so a plain body wrapped by a broker or webhook ingress skips ajv. It only
// ever answers true for values the schema accepts; anything it is unsure of
// answers false, and the caller validates in full (which names the problem).
import { isValidEventType } from '@plexus/plugin-sdk/runtime';

// A relative path whose first segment has no ':' (so it cannot read as a
// scheme) and no leading '/' (so no '//' authority): always a URI-reference.
// Host-made sources look like this: `redis/stream:orders`, `webhook/github`.
const PLAIN_RELATIVE_PATH = /^[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~:@!$&'()*+,;=-]*)*$/;

export function areHostAttributesValid(id: string, source: string, type: string): boolean {
  return id.length > 0 && PLAIN_RELATIVE_PATH.test(source) && isValidEventType(type);
}
