// Untyped command calls and reply decoding for the Redis store. Commands go
// through `call` with one argument array (batches carry thousands of
// arguments, too many for a spread call), and replies are decoded by shape
// so both reply mappings of ioredis (legacy arrays, RESP3 objects) work with
// a client the host passes in.
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isPlexusErrorCode, PlexusError } from '@plexus/plugin-sdk';

/** A Buffer is sent as its bytes: keys that are not well-formed text (redis-keys.ts). */
export type Arg = string | number | Buffer;

export function command(redis: Redis, name: string, args: Arg[]): Promise<unknown> {
  return redis.call(name, args);
}

export function strings(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new TypeError('store: expected an array reply from Redis');
  return reply.map((item) => String(item));
}

/** HMGET-like replies: a string or nil per field. */
export function optionalStrings(reply: unknown): (string | null)[] {
  if (!Array.isArray(reply)) throw new TypeError('store: expected an array reply from Redis');
  return reply.map((item) => (item === null || item === undefined ? null : String(item)));
}

/** Field/value replies (HGETALL): a flat array (RESP2, legacy mapping) or an object (RESP3 mapping). */
export function pairs(reply: unknown): [string, string][] {
  if (Array.isArray(reply)) {
    const out: [string, string][] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), String(reply[i + 1])]);
    return out;
  }
  if (reply !== null && typeof reply === 'object') return Object.entries(reply).map(([k, v]) => [k, String(v)]);
  throw new TypeError('store: expected a map reply from Redis');
}

/**
 * How long a `once` script's answer is kept for a resend of the same call.
 * ioredis re-sends a command whose reply a dropped connection lost
 * (autoResendUnfulfilledCommands) once it has reconnected: within seconds.
 */
const ONCE_ANSWER_MS = 60_000;

/**
 * A `once` script runs at most once per call. When the connection drops after
 * Redis ran it but before its answer arrived, ioredis sends the same EVALSHA
 * again; a write batch run twice would refuse its own deliveries as
 * conflicts, report a webhook's claim as a replay, count an incr twice or
 * adopt nothing. The call's own key (its last KEY) keeps the first run's
 * answer (MessagePack: integers stay exact) for ONCE_ANSWER_MS, and the
 * resend gets that answer back. A refusal is not kept: the script wrote
 * nothing, and running it again refuses again.
 */
function onceWrapped(source: string): string {
  return `local __once = KEYS[#KEYS]
local __done = redis.call('GET', __once)
if __done then return cmsgpack.unpack(__done) end
local __result = (function()
${source}
end)()
if type(__result) ~= 'table' or __result.err == nil then redis.call('SET', __once, cmsgpack.pack(__result), 'PX', ${ONCE_ANSWER_MS}) end
return __result
`;
}

/** A Lua script run by EVALSHA, loaded with EVAL the first time a server has not seen it. */
export class LuaScript {
  readonly source: string;
  readonly sha: string;
  readonly #once: boolean;

  /** `once`: the script writes, and must not run twice for one call (see onceWrapped); it must not read #KEYS. */
  constructor(source: string, options: { once?: boolean } = {}) {
    this.#once = options.once === true;
    this.source = this.#once ? onceWrapped(source) : source;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  async run(redis: Redis, keys: (string | Buffer)[], args: Arg[]): Promise<unknown> {
    // The call's key sits beside the script's first key (the store's prefix).
    // A first key held as bytes reads back as text with U+FFFD in places: still under the prefix, and the UUID makes it the call's own.
    if (this.#once) keys = [...keys, `${keys[0]?.toString() ?? ''}:once:${randomUUID()}`];
    try {
      return await command(redis, 'EVALSHA', [this.sha, keys.length, ...keys, ...args]);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
        return scriptError(() => command(redis, 'EVAL', [this.source, keys.length, ...keys, ...args]));
      }
      throw toPlexusError(err);
    }
  }
}

async function scriptError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await run();
  } catch (err) {
    throw toPlexusError(err);
  }
}

// Scripts refuse a batch with redis.error_reply('PLEXUS_<CODE> message')
// before writing anything; that becomes the same PlexusError SQLite throws.
function toPlexusError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const match = /^(PLEXUS_[A-Z_]+) (.*)$/s.exec(err.message);
  if (match === null || !isPlexusErrorCode(match[1])) return err;
  return new PlexusError(match[1], match[2]);
}
