// The host's authoritative check of what came out of an isolate. The runner
// inside the isolate shares its realm with plugin code, so its output is
// treated like any untrusted input: shape-checked, size-checked, and every
// emitted type re-checked against the effective grants.
import { isPlexusErrorCode, type ErrorData } from '../errors.ts';
import { canEmit } from '../manifest/grants.ts';
import { parseJsonSafely } from '../safe-json.ts';
import { isValidEventType } from '../topics.ts';
import type { JsonObject, LogLevel, LogRecord } from '../types.ts';
import type { CallOutcome, Denial, EmittedRecord, PluginRuntimeSpec } from './protocol.ts';
import { addDenial } from './denial-list.ts';

const LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

export function malformed(what: string): ErrorData {
  return { name: 'PlexusError', code: 'PLEXUS_SANDBOX_CRASHED', message: `the sandbox returned a malformed ${what}` };
}

/** A failed call's outcome: nothing emitted, whatever it logged. */
export function failure(error: ErrorData, logs: LogRecord[] = []): CallOutcome {
  return { ok: false, error, emitted: [], logs, droppedLogs: 0 };
}

/**
 * The outcome of nearly every event: success, nothing emitted, nothing
 * logged. One frozen object shared by all of them: structured clone and the
 * IPC serializer send a repeated object once and back-references after, so
 * a batch of clean outcomes crosses both boundaries almost for free and the
 * host allocates one object for it, not three per event.
 */
export const CLEAN_OK: CallOutcome = Object.freeze({ ok: true, emitted: Object.freeze([]) as unknown as EmittedRecord[], logs: Object.freeze([]) as unknown as LogRecord[], droppedLogs: 0 });

export interface CheckedBatch {
  /** One entry per event, `null` for an event that had not settled. */
  outcomes: (CallOutcome | null)[];
  instanceLogs: LogRecord[];
}

/** Parses a batch result; undefined when it is not even shaped like one. */
export function checkBatch(json: string | undefined, count: number, spec: PluginRuntimeSpec, denials: Denial[]): CheckedBatch | undefined {
  if (json === undefined) return undefined;
  let raw: { results?: unknown; instanceLogs?: unknown };
  try {
    raw = JSON.parse(json) as typeof raw;
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || !Array.isArray(raw.results) || raw.results.length !== count) return undefined;
  return {
    outcomes: raw.results.map((item: unknown) => (item === null ? null : checkOutcome(item, spec, denials))),
    instanceLogs: checkLogs(raw.instanceLogs, spec.limits.maxLogsPerCall).records,
  };
}

/** What a batch's runner writes for an outcome with nothing emitted or logged (isolate-bootstrap.ts). */
export const CLEAN_OUTCOME = 1;

export function checkOutcome(item: unknown, spec: PluginRuntimeSpec, denials: Denial[]): CallOutcome {
  if (item === CLEAN_OUTCOME) return CLEAN_OK;
  if (typeof item !== 'object' || item === null) return failure(malformed('outcome'));
  const o = item as Record<string, unknown>;
  const logs = checkLogs(o.logs, spec.limits.maxLogsPerCall);
  const droppedLogs = (typeof o.droppedLogs === 'number' && o.droppedLogs >= 0 ? o.droppedLogs : 0) + logs.dropped;
  if (o.ok !== true) return { ok: false, error: checkError(o.error), emitted: [], logs: logs.records, droppedLogs };
  const emitted: EmittedRecord[] = [];
  for (const e of Array.isArray(o.emitted) ? o.emitted : [undefined]) {
    const checked = checkEmitted(e, spec);
    if ('error' in checked) {
      if (checked.denied) addDenial(denials, { plugin: spec.name, capability: 'emit', target: checked.denied });
      return { ok: false, error: checked.error, emitted: [], logs: logs.records, droppedLogs };
    }
    emitted.push(checked.record);
  }
  if (emitted.length > spec.limits.maxEmitsPerEvent) {
    return { ok: false, error: { name: 'PlexusError', code: 'PLEXUS_PAYLOAD_TOO_LARGE', message: `more than ${spec.limits.maxEmitsPerEvent} events emitted` }, emitted: [], logs: logs.records, droppedLogs };
  }
  if (emitted.length === 0 && logs.records.length === 0 && droppedLogs === 0) return CLEAN_OK;
  return { ok: true, emitted, logs: logs.records, droppedLogs };
}


function checkEmitted(e: unknown, spec: PluginRuntimeSpec): { record: EmittedRecord } | { error: ErrorData; denied?: string } {
  if (typeof e !== 'object' || e === null) return { error: malformed('emitted event') };
  const { type, data, partitionkey } = e as Record<string, unknown>;
  if (typeof type !== 'string' || !isValidEventType(type)) return { error: { name: 'PlexusError', code: 'PLEXUS_INVALID_EVENT', message: `emitted type ${JSON.stringify(String(type)).slice(0, 100)} is not a valid event type`, permanent: true } };
  if (!canEmit(spec.capabilities, type)) return { error: { name: 'PlexusError', code: 'PLEXUS_CAPABILITY_DENIED', message: `emitting "${type}" is not granted to this plugin` }, denied: type };
  if (data !== undefined && data !== null) {
    if (typeof data !== 'string') return { error: malformed('emitted event') };
    if (Buffer.byteLength(data) > spec.limits.maxEmitBytes) return { error: { name: 'PlexusError', code: 'PLEXUS_PAYLOAD_TOO_LARGE', message: `emitted data exceeds ${spec.limits.maxEmitBytes} bytes` } };
    try {
      JSON.stringify(parseJsonSafely(data));
    } catch {
      return { error: malformed('emitted payload') };
    }
  }
  if (partitionkey !== undefined && partitionkey !== null && (typeof partitionkey !== 'string' || partitionkey.length > 256)) return { error: malformed('partition key') };
  const record: EmittedRecord = { type };
  if (typeof data === 'string') record.data = JSON.stringify(parseJsonSafely(data));
  if (typeof partitionkey === 'string') record.partitionkey = partitionkey;
  return { record };
}

const MAX_MESSAGE_CHARS = 8192;
const MAX_FIELDS_CHARS = 16_384;

function checkLogs(raw: unknown, max: number): { records: LogRecord[]; dropped: number } {
  const records: LogRecord[] = [];
  let dropped = 0;
  for (const r of Array.isArray(raw) ? raw : []) {
    const l = r as Record<string, unknown> | null;
    if (records.length >= max || typeof l !== 'object' || l === null || !LEVELS.has(l.level as LogLevel)) {
      dropped++;
      continue;
    }
    const record: LogRecord = { level: l.level as LogLevel, message: String(l.message).slice(0, MAX_MESSAGE_CHARS), time: typeof l.time === 'number' && Number.isFinite(l.time) ? l.time : Date.now() };
    if (typeof l.fields === 'object' && l.fields !== null && !Array.isArray(l.fields)) record.fields = checkFields(l.fields);
    records.push(record);
  }
  return { records, dropped };
}

/**
 * A log line's fields, as plain JSON within bounds. The rate limit counts
 * lines, not bytes: 400 KB of fields per line was 40 MB per execute on the
 * host's stdout. Fields too large, or nested too deep for the host, become a
 * note saying so rather than failing the whole batch.
 */
function checkFields(fields: object): JsonObject {
  let text: string;
  try {
    text = JSON.stringify(fields);
  } catch {
    return { fieldsDropped: 'not serializable' };
  }
  if (text.length > MAX_FIELDS_CHARS) return { fieldsDropped: `${text.length} characters, over ${MAX_FIELDS_CHARS}` };
  try {
    return parseJsonSafely(text) as JsonObject;
  } catch (err) {
    return { fieldsDropped: (err as Error).message };
  }
}

export function checkLogRecords(raw: unknown, max: number): LogRecord[] {
  return checkLogs(raw, max).records;
}

/** Plugin errors keep their message; only PLEXUS_ codes survive as codes, anything else is PLEXUS_PLUGIN_ERROR. */
function checkError(raw: unknown): ErrorData {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name.slice(0, 100) : 'Error';
  const message = typeof e.message === 'string' ? e.message.slice(0, 4096) : '';
  const own = typeof e.code === 'string' ? e.code : undefined;
  const error: ErrorData = {
    name,
    message: own !== undefined && !isPlexusErrorCode(own) ? `[${own.slice(0, 100)}] ${message}` : message,
    code: own !== undefined && isPlexusErrorCode(own) ? own : 'PLEXUS_PLUGIN_ERROR',
  };
  if (e.permanent === true) error.permanent = true;
  return error;
}
