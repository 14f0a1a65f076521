// Whether the attributes an ingress sets itself (id, source, type), and the
// content type a transport gives beside them, are valid without running the
// envelope schema: a cheap check for the common case,
// so a plain body wrapped by a broker or webhook ingress skips ajv. It only
// ever answers true for values the schema accepts; anything it is unsure of
// answers false, and the caller validates in full (which names the problem).
import { isValidEventType } from '@plexus/plugin-sdk/runtime';
import { MEDIA_TYPE } from './envelope-schema.ts';

// A relative path whose first segment has no ':' (so it cannot read as a
// scheme) and no leading '/' (so no '//' authority): always a URI-reference.
// Host-made sources look like this: `redis/stream:orders`, `webhook/github`.
const PLAIN_RELATIVE_PATH = /^[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~:@!$&'()*+,;=-]*)*$/;

export function areHostAttributesValid(id: string, source: string, type: string): boolean {
  return id.length > 0 && PLAIN_RELATIVE_PATH.test(source) && isValidEventType(type);
}

/**
 * Attributes a transport's headers gave beside a plain body, when all they
 * give is a `datacontenttype` the schema accepts (a webhook's or an AMQP
 * message's content type, nearly always): its value, or undefined for none.
 * False for anything else, which then goes through the schema.
 */
export function quickContentType(fromHeaders: Readonly<Record<string, unknown>> | undefined): string | undefined | false {
  let contentType: string | undefined;
  if (fromHeaders === undefined) return contentType;
  for (const name in fromHeaders) {
    if (!Object.hasOwn(fromHeaders, name)) continue;
    const value = fromHeaders[name];
    if (name !== 'datacontenttype' || typeof value !== 'string' || !MEDIA_TYPE.test(value)) return false;
    contentType = value;
  }
  return contentType;
}
