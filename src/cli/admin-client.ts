// How CLI commands talk to a running host: its admin API over HTTP
// (node:http, not fetch: undici gives up on an answer after 300 s whatever
// the caller asks, and a long replay or install would then be reported as an
// unreachable host while the host finishes it). Where: --admin,
// PLEXUS_ADMIN_URL, else http://127.0.0.1:9090. Who: --token,
// PLEXUS_ADMIN_TOKEN, else the token file the host wrote into its state dir
// (--state-dir, PLEXUS_STATE_DIR, else ./.plexus).
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { resolve } from 'node:path';
import { adminTokenPath } from '../admin/admin-token.ts';
import { DEFAULT_STATE_DIR } from '../config/host-config.ts';
import { CliError, EXIT, type CliIo } from './command.ts';
import { shownUrl } from './shown-url.ts';

// Not ES imports: those build node:http's namespace from every export, whose
// lazy getters load undici (~30 ms of each CLI command's start).
const { request: httpRequest } = process.getBuiltinModule('node:http');
const { request: httpsRequest } = process.getBuiltinModule('node:https');

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9090';
const REQUEST_TIMEOUT_MS = 30_000;
const CONTINUE_FALLBACK_MS = 1000;

/** The flags every command that talks to the host takes. */
export const ADMIN_OPTIONS = {
  admin: { type: 'string' },
  token: { type: 'string' },
  'state-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const ADMIN_OPTIONS_HELP = `Connection:
  --admin <url>        admin API (default: $PLEXUS_ADMIN_URL, else ${DEFAULT_ADMIN_URL})
  --token <token>      admin token (default: $PLEXUS_ADMIN_TOKEN, else <state dir>/admin-token)
  --state-dir <dir>    where to find the token file (default: $PLEXUS_STATE_DIR, else ./${DEFAULT_STATE_DIR})
  --json               print the data as JSON`;

export interface AdminFlags {
  admin?: string | undefined;
  token?: string | undefined;
  'state-dir'?: string | undefined;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Replays, installs and other plugin changes (queued one at a time on the host) can run long: no client-side time limit for them. */
  untimed?: boolean;
}

export class AdminClient {
  readonly url: string;
  readonly #token: string;

  constructor(url: string, token: string) {
    this.url = url.replace(/\/+$/, '');
    this.#token = token;
  }

  static async fromFlags(flags: AdminFlags, io: CliIo, command: string): Promise<AdminClient> {
    const url = flags.admin ?? nonEmpty(io.env.PLEXUS_ADMIN_URL) ?? DEFAULT_ADMIN_URL;
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new CliError(`--admin must be an http(s) URL, got "${shownUrl(url)}" (see plexus ${command} --help)`, EXIT.usage);
    }
    const token = flags.token ?? nonEmpty(io.env.PLEXUS_ADMIN_TOKEN) ?? (await readTokenFile(flags, io));
    // As the host requires of its token; anything else cannot even be sent in a header.
    if (!TOKEN_PATTERN.test(token)) throw new CliError(`the admin token must be visible ASCII characters without spaces (see plexus ${command} --help)`, EXIT.usage);
    return new AdminClient(url, token);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const target = new URL(this.url);
    // The path goes as written: a URL would resolve an id or plugin name of "." or ".." as a dot
    // segment (`dlq replay ..` became POST /v1/replay, another route), even percent-encoded.
    const requestPath = `${target.pathname.replace(/\/+$/, '')}${path}${queryString(options.query)}`;
    const headers: OutgoingHttpHeaders = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    let response: { status: number; text: string };
    try {
      response = await send(target, requestPath, method, headers, payload, options.untimed === true ? undefined : REQUEST_TIMEOUT_MS);
    } catch (err) {
      throw transportError(err, shownUrl(this.url));
    }
    const { status, text } = response;
    const body = parseJson(text);
    // Every admin route answers a JSON object: anything else (a web page from another server on that
    // port) would otherwise surface as "Cannot read properties of undefined" from the command.
    if (status >= 200 && status < 300 && isObject(body)) return body as T;
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') throw new CliError(`${error.code}: ${error.message}`);
    throw new CliError(`unexpected answer from ${shownUrl(this.url)}: HTTP ${status}${text ? ` ${text.slice(0, 200)}` : ''} (is that a Plexus admin API?)`);
  }
}

const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** One request; `timeoutMs` undefined: wait as long as the host takes (the host's own limits apply). */
function send(target: URL, path: string, method: string, headers: OutgoingHttpHeaders, payload: Buffer | undefined, timeoutMs: number | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // `path` in the options wins over the URL's own (node merges them), and is sent unresolved.
    const options = { method, headers: payload === undefined ? headers : { ...headers, expect: '100-continue' }, path, ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }) };
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        // Refused before its body was asked for: the body is never sent.
        if (!request.writableEnded) request.destroy();
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    if (payload === undefined) {
      request.end();
      return;
    }
    // The body waits for the host's 100 Continue: a request it refuses (a wrong token, a body over its
    // limit) is answered at once, instead of the refusal closing the connection under the body being
    // written, which hid the answer behind a failed write (EPIPE). A server that ignores Expect gets the
    // body after a second, as curl does.
    const sendBody = () => {
      clearTimeout(fallback);
      if (!request.writableEnded && !request.destroyed) request.end(payload);
    };
    const fallback = setTimeout(sendBody, CONTINUE_FALLBACK_MS);
    request.once('continue', sendBody);
    request.once('response', () => clearTimeout(fallback));
    request.once('close', () => clearTimeout(fallback));
  });
}

async function readTokenFile(flags: AdminFlags, io: CliIo): Promise<string> {
  const stateDir = resolve(io.cwd, flags['state-dir'] ?? nonEmpty(io.env.PLEXUS_STATE_DIR) ?? DEFAULT_STATE_DIR);
  const file = adminTokenPath(stateDir);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token !== '') return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot read the admin token file ${file}: ${(err as Error).message}`);
  }
  throw new CliError(`no admin token: pass --token, set PLEXUS_ADMIN_TOKEN, or point --state-dir at the host's state dir (${file} does not exist or is empty)`);
}

function transportError(err: unknown, url: string): CliError {
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return new CliError(`the host at ${url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
  const code = (err as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : (err as Error).message;
  return new CliError(`cannot reach the Plexus host at ${url} (${reason}); is "plexus start" running there? (--admin, PLEXUS_ADMIN_URL)`, EXIT.unreachable);
}

function queryString(query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
