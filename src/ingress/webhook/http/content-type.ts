// Which request bodies the webhook route reads: JSON, labelled
// `application/json` or a structured suffix like `application/cloudevents+json`
// (RFC 6839), in UTF-8. Checked from the header alone, before a byte of the
// body is read, so a form post or a file upload is refused at no cost.
import { PlexusError } from '@plexus/plugin-sdk';

const JSON_MEDIA_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.-]+\+json)$/;
// RFC 8259 §8.1: JSON exchanged between systems is UTF-8; any other declared charset is a sender bug.
const UTF8 = /^"?utf-?8"?$/;

/** Throws PLEXUS_UNSUPPORTED_MEDIA_TYPE (415) unless `header` names UTF-8 JSON. */
export function assertJsonContentType(header: string | undefined): void {
  if (header === undefined || header.trim() === '') throw unsupported('no content-type header');
  const [mediaType = '', ...parameters] = header.split(';');
  const type = mediaType.trim().toLowerCase();
  if (!JSON_MEDIA_TYPE.test(type)) throw unsupported(`content-type ${JSON.stringify(type.slice(0, 100))}`);
  for (const parameter of parameters) {
    const eq = parameter.indexOf('=');
    if (eq < 0 || parameter.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = parameter.slice(eq + 1).trim().toLowerCase();
    if (!UTF8.test(charset)) throw unsupported(`charset ${JSON.stringify(charset.slice(0, 40))}`);
  }
}

function unsupported(what: string): PlexusError {
  return new PlexusError('PLEXUS_UNSUPPORTED_MEDIA_TYPE', `${what} is not accepted; send JSON as content-type: application/json (UTF-8)`);
}
