// JSON from plugin code is parsed with this: an own "__proto__" key (which
// JSON.parse happily creates) or a constructor.prototype pair would pollute
// prototypes the moment some later code merges the object with [[Set]].
export function parseJsonSafely(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__') return undefined;
    if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) return undefined;
    return value;
  });
}
