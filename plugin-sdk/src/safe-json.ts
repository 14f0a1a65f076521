// JSON from plugin code is parsed with this: an own "__proto__" key (which
// JSON.parse happily creates) or a constructor.prototype pair would pollute
// prototypes the moment some later code merges the object with [[Set]].
//
// The reviver that strips them makes JSON.parse several times slower, and
// every event body goes through here. A text that cannot spell either key
// (no "__proto__", no "constructor", and no \u escape that could spell them)
// is parsed plainly; only the rest pays for the reviver.
const NEEDS_REVIVER = /__proto__|constructor|\\u/;

export function parseJsonSafely(text: string): unknown {
  if (!NEEDS_REVIVER.test(text)) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__') return undefined;
    if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) return undefined;
    return value;
  });
}
