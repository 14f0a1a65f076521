// An event's `source` must be a URI-reference (CloudEvents), and the broker
// ingresses make it from a name they did not choose: `amqp/<queue>`,
// `redis/stream:<key>`, `redis/list:<key>`, `redis/channel:<channel>`.
// Such names may hold a space, a non-ASCII letter (a queue
// "commandes-reçues"), `|` or `[`, and then every message from them was
// refused as PLEXUS_INVALID_EVENT ("source must be a URI-reference") into the
// DLQ. Characters a URI-reference cannot hold are percent-encoded (UTF-8);
// every name that made a valid source before makes the same one now.

/** What may stand as it is: RFC 3986 unreserved and reserved characters but "[" and "]" (only valid around an IP literal), and "%" starting an escape. */
const SAFE = /^(?:[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const SAFE_CHAR = /^[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]$/;

/** `prefix` + `name`, with what a URI-reference cannot hold in `name` percent-encoded. */
export function sourceOf(prefix: string, name: string): string {
  return SAFE.test(name) ? prefix + name : prefix + percentEncoded(name);
}

function percentEncoded(name: string): string {
  let out = '';
  const chars = [...name];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    if (SAFE_CHAR.test(char) || (char === '%' && /^[0-9A-Fa-f]{2}$/.test(`${chars[i + 1] ?? ''}${chars[i + 2] ?? ''}`))) out += char;
    // A lone surrogate encodes as U+FFFD, as Buffer does.
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
