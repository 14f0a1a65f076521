// Case-insensitive header access over the plain header records that node:http,
// fastify and tests hand us. HTTP header names are case-insensitive, and a
// record may even hold the same name twice in different cases, so every
// lookup scans all keys instead of trusting one spelling.
import { PlexusError, type PlexusErrorCode } from '@plexus/plugin-sdk';

export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Every value sent under `name`, in order, whatever the case of the key. */
export function headerValues(headers: HeaderRecord, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  // Several lookups per request, each over every header: a key of another
  // length is skipped without lowering it (names asked for are ASCII tokens,
  // and only a non-ASCII letter changes length in lower case), and no entry
  // arrays are built.
  for (const key in headers) {
    if (key.length !== wanted.length || !Object.hasOwn(headers, key)) continue;
    if (key !== wanted && key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  return values;
}

/**
 * The one value of `name`, or undefined when it is absent or empty. A header
 * sent several times is refused with `code`: which copy the sender meant is
 * ambiguous, and picking one would let a proxy-injected copy win.
 */
export function singleHeader(headers: HeaderRecord, name: string, code: PlexusErrorCode, context: string): string | undefined {
  const values = headerValues(headers, name);
  if (values.length > 1) throw new PlexusError(code, `${context}: header ${name} was sent ${values.length} times`);
  const value = values[0]?.trim();
  return value === '' ? undefined : value;
}
