// The kv key that remembers one event: CloudEvents identify an event by
// (source, id), and both may contain ":" and be of any length, while kv keys
// are at most 512 characters. JSON of the pair keeps two different events
// apart ("a:b" + "c" vs "a" + "b:c"); a pair too long for a key is hashed.

const MAX_KV_KEY = 512;

export function seenKey(source: string, id: string): string {
  const pair = JSON.stringify([source, id]);
  const key = `seen:${pair}`;
  return key.length <= MAX_KV_KEY ? key : `seen#${hash106(pair)}`;
}

/**
 * Two 53-bit cyrb53 hashes with different seeds: the sandbox has no crypto,
 * and ~106 bits make two distinct long ids sharing a key (and so one of them
 * going uncounted) vanishingly unlikely.
 */
function hash106(text: string): string {
  return `${cyrb53(text, 0x9e3779b9).toString(36)}.${cyrb53(text, 0x85ebca6b).toString(36)}`;
}

function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
