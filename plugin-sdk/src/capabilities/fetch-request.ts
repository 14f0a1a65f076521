// Validates the plain-data request that crosses out of the sandbox and turns it
// into what goes on the wire (rules 5 and 6): a standard method, headers the
// plugin may set, a body within its size limit. Also how a request changes
// when a redirect is followed. Plugin data is untrusted: every field is
// type-checked at run time, whatever its TypeScript type says.
import { PlexusError } from '../errors.ts';

/** The request fields as they arrive from the sandbox, not yet trusted to have their declared types. */
export interface UncheckedRequestFields {
  method?: unknown;
  headers?: unknown;
  body?: unknown;
}

export interface OutgoingRequest {
  readonly method: string;
  /** Lower-case names. Never Host, Content-Length or hop-by-hop headers: Node computes those from what was checked. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

// Dropped rather than refused, as fetch() silently ignores forbidden headers.
// Host/Content-Length/Transfer-Encoding would let a plugin desynchronise the
// request from what was checked (request smuggling); hop-by-hop headers belong
// to the connection the host owns; Accept-Encoding is fixed to identity because
// the body is returned as text and is not decompressed.
const STRIPPED = new Set([
  'host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'content-length', 'expect', 'accept-encoding', 'http2-settings',
]);
const STRIPPED_PREFIXES = ['proxy-'];

/** Headers whose meaning depends on the body; dropped when a redirect turns the request into a bodiless GET. */
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location'];
/** Credentials the plugin set for one origin; never forwarded to another (the fetch standard drops Authorization). */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie'];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// The bytes Node accepts in a header value; CR/LF/NUL would split the header block.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const MAX_HEADER_BYTES = 64 * 1024;

export function normalizeRequest(data: UncheckedRequestFields, maxRequestBytes: number): OutgoingRequest {
  const method = normalizeMethod(data.method);
  const headers = normalizeHeaders(data.headers);
  if (data.body !== undefined && data.body !== null && typeof data.body !== 'string') {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', 'fetch: body must be a string');
  }
  const text = typeof data.body === 'string' ? data.body : null;
  if (text !== null && (method === 'GET' || method === 'HEAD')) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `fetch: a ${method} request cannot have a body`);
  }
  // Byte length, not string length: the limit is on what goes on the wire.
  if (text !== null && Buffer.byteLength(text, 'utf8') > maxRequestBytes) {
    throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `fetch: request body exceeds ${maxRequestBytes} bytes`);
  }
  const body = text === null ? null : Buffer.from(text, 'utf8');
  if (body !== null && headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
  headers['accept-encoding'] = 'identity';
  return { method, headers, body };
}

function normalizeMethod(method: unknown): string {
  if (method === undefined || method === null) return 'GET';
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!METHODS.has(upper)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `fetch: method must be one of ${[...METHODS].join(', ')}`);
  return upper;
}

function normalizeHeaders(input: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (input === undefined || input === null) return out;
  if (typeof input !== 'object' || Array.isArray(input)) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'fetch: headers must be an object of strings');
  let bytes = 0;
  for (const [rawName, rawValue] of Object.entries(input)) {
    if (typeof rawValue !== 'string') throw new PlexusError('PLEXUS_INVALID_REQUEST', `fetch: header "${rawName}" must be a string`);
    if (!TOKEN.test(rawName)) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'fetch: invalid header name');
    const value = rawValue.trim();
    if (!FIELD_VALUE.test(value)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `fetch: invalid characters in header "${rawName}"`);
    bytes += rawName.length + value.length + 4;
    if (bytes > MAX_HEADER_BYTES) throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `fetch: request headers exceed ${MAX_HEADER_BYTES} bytes`);
    const name = rawName.toLowerCase();
    if (STRIPPED.has(name) || STRIPPED_PREFIXES.some((p) => name.startsWith(p))) continue;
    // Same name in two spellings: combine as Headers.append would.
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** The request to send to a redirect's target, per the fetch standard's HTTP-redirect fetch. */
export function redirectRequest(request: OutgoingRequest, status: number, sameOrigin: boolean): OutgoingRequest {
  const toGet = (status === 303 && request.method !== 'GET' && request.method !== 'HEAD') || ((status === 301 || status === 302) && request.method === 'POST');
  const drop = new Set([...(toGet ? BODY_HEADERS : []), ...(sameOrigin ? [] : ORIGIN_BOUND_HEADERS)]);
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(request.headers)) if (!drop.has(name)) headers[name] = value;
  return toGet ? { method: 'GET', headers, body: null } : { method: request.method, headers, body: request.body };
}
