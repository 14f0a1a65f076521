// The small JSONPath subset a webhook config needs to point at one value:
// `$.event.type`, `$.data[0].id`, `$['odd key']`. No wildcards or filters: the
// result must be a single value, and a full JSONPath engine is attack surface
// for no gain. Compiled once at config time so typos fail at startup.

export interface JsonPath {
  readonly text: string;
  readonly segments: readonly (string | number)[];
}

const SEGMENT = /\.([A-Za-z0-9_$-]+)|\[(\d{1,9})\]|\['([^'\\]*)'\]|\["([^"\\]*)"\]/;

export function compileJsonPath(text: string): JsonPath {
  if (!text.startsWith('$')) throw new Error('must start with $');
  const segments: (string | number)[] = [];
  // A fresh sticky regex per call: lastIndex is state, and state shared at module level is a trap.
  const reader = new RegExp(SEGMENT.source, 'y');
  reader.lastIndex = 1;
  while (reader.lastIndex < text.length) {
    const at = reader.lastIndex;
    const match = reader.exec(text);
    if (match === null) throw new Error(`cannot be read at character ${at + 1} (use .name, [index] or ['name'])`);
    const [, name, index, single, double] = match;
    segments.push(index !== undefined ? Number(index) : (name ?? single ?? double ?? ''));
  }
  return { text, segments };
}

/** The value at `path`, or undefined. Only own properties count: `$.constructor` must not reach Object.prototype. */
export function readJsonPath(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const segment of path.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
