// A nesting limit for webhook JSON, checked on the raw bytes before parsing.
// V8's JSON.parse copes with any depth, but everything after it recurses
// (JSON.stringify into the store, structured clone into the sandbox), so a
// 100 000-level body would overflow the stack somewhere deep in the host.
// Refusing it up front with a 400 keeps that failure at the door.
import { PlexusError } from '@plexus/plugin-sdk';

/** Far beyond real webhook payloads (GitHub's and Stripe's stay under 10), far below any stack limit. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Throws PLEXUS_INVALID_EVENT when arrays and objects nest deeper than
 * `maxDepth`. Byte-wise is exact for UTF-8: every byte of a multi-byte
 * character is >= 0x80, so none can be mistaken for a quote or a bracket.
 * Malformed JSON is not judged here; JSON.parse refuses it afterwards.
 */
export function assertJsonDepth(raw: Uint8Array, maxDepth: number = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      // An escape consumes the next byte, so `\"` does not end the string.
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) throw new PlexusError('PLEXUS_INVALID_EVENT', `body nests arrays and objects deeper than ${maxDepth} levels`);
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
}
