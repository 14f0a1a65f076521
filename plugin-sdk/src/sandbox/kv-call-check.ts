// The kv calls a plugin instance sends, checked again outside the isolate.
// The isolate's own kv wrapper checks keys, value sizes and ttl first, but
// it runs beside plugin code and shares its globals: a plugin that replaces
// Array.prototype.toJSON, say, rewrites the arguments after those checks.
// So the worker, which plugin code cannot touch, enforces the same limits on
// the JSON text that actually crosses before anything reaches the host.
import type { ErrorData, PlexusErrorCode } from '../errors.ts';

export type KvCheck = { ok: true } | { ok: false; error: ErrorData };

const MAX_KEY_LENGTH = 512;

/** Whether `argsJson` is a well-formed `op` call within the limits: [key], [key, valueJson, ttlMs | null] or [key, by]. */
export function checkKvCall(op: string, argsJson: string, maxValueBytes: number): KvCheck {
  let args: unknown;
  try {
    args = JSON.parse(argsJson);
  } catch {
    return refused('PLEXUS_INVALID_REQUEST', 'kv call arguments are not JSON');
  }
  if (!Array.isArray(args)) return refused('PLEXUS_INVALID_REQUEST', 'kv call arguments are not a list');
  const [key, second, third] = args as unknown[];
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return refused('PLEXUS_INVALID_REQUEST', `kv keys are strings of 1-${MAX_KEY_LENGTH} characters`);
  switch (op) {
    case 'get':
    case 'delete':
      return args.length === 1 ? OK : refused('PLEXUS_INVALID_REQUEST', `kv ${op} takes a key only`);
    case 'incr':
      return args.length === 2 && typeof second === 'number' && Number.isFinite(second) ? OK : refused('PLEXUS_INVALID_REQUEST', 'incr takes a finite number');
    case 'set': {
      if (args.length !== 3 || typeof second !== 'string') return refused('PLEXUS_INVALID_REQUEST', 'kv set takes a key, a JSON value and a ttl');
      if (second.length > maxValueBytes) return refused('PLEXUS_PAYLOAD_TOO_LARGE', `kv value of ${second.length} bytes exceeds ${maxValueBytes}`);
      if (!isJson(second)) return refused('PLEXUS_INVALID_REQUEST', 'kv values must be JSON');
      if (third !== null && !(typeof third === 'number' && third > 0 && Number.isFinite(third))) return refused('PLEXUS_INVALID_REQUEST', 'ttlMs must be a positive number');
      return OK;
    }
    default:
      return refused('PLEXUS_INVALID_REQUEST', `unknown kv operation ${JSON.stringify(op.slice(0, 32))}`);
  }
}

const OK: KvCheck = { ok: true };

function refused(code: PlexusErrorCode, message: string): KvCheck {
  return { ok: false, error: { name: 'PlexusError', code, message } };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
