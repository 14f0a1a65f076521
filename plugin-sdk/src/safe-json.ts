// JSON from outside (broker messages, plugin output, request bodies) is
// parsed with this, for two reasons.
//
// Nesting. V8's JSON.parse copes with any depth, but everything after it
// recurses (JSON.stringify into the store, structured clone into the
// sandbox, schema checks), so a 10,000-level body overflows the stack
// somewhere deep in the host: a broker message then failed its whole read
// batch's accept, over and over. Depth is checked on the text first and
// refused as PLEXUS_INVALID_EVENT.
//
// Pollution. An own "__proto__" key (which JSON.parse happily creates) or a
// constructor.prototype pair would pollute prototypes the moment some later
// code merges the object with [[Set]]. The reviver that strips them makes
// JSON.parse several times slower, and every event body goes through here. A
// text that cannot spell either key (no "__proto__", no "constructor", and no
// \u escape that could spell them) is parsed plainly; only the rest pays for
// the reviver.
import { PlexusError } from './errors.ts';

/** Far beyond real payloads (GitHub's and Stripe's stay under 10), far below any stack limit. */
export const MAX_JSON_DEPTH = 64;

const NEEDS_REVIVER = /__proto__|constructor|\\u/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Throws PLEXUS_INVALID_EVENT when the text is JSON nested deeper than `maxDepth`; then parses it safely. */
export function parseJsonSafely(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  assertJsonDepth(text, maxDepth);
  if (!NEEDS_REVIVER.test(text)) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__') return undefined;
    if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) return undefined;
    return value;
  });
}

/**
 * Throws PLEXUS_INVALID_EVENT when arrays and objects nest deeper than
 * `maxDepth`. Exact on any text: every UTF-16 surrogate is >= 0xD800, so
 * none is mistaken for a quote or a bracket. Malformed JSON is not judged
 * here; JSON.parse refuses it afterwards.
 */
export function assertJsonDepth(text: string, maxDepth: number = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      // An escape consumes the next character, so `\"` does not end the string.
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (++depth > maxDepth) throw new PlexusError('PLEXUS_INVALID_EVENT', `the JSON nests arrays and objects deeper than ${maxDepth} levels`);
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--;
    }
  }
}
