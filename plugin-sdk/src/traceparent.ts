// W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/):
// version-traceid-parentid-flags in lowercase hex. Emitted events continue
// the trace of the event that caused them: same trace id, a new parent id.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

export interface Traceparent {
  readonly version: string;
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

/** A source of random bytes; injected so tests are deterministic. */
export type RandomBytes = (size: number) => Uint8Array;

// Later versions may append fields after the flags, separated by a dash; a
// reader that knows version 00 must still read the first four (W3C §3.2.4).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;

export function parseTraceparent(value: unknown): Traceparent | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m) return undefined;
  const [, version, traceId, parentId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(parentId)) return undefined;
  return { version, traceId, parentId, flags };
}

export function isValidTraceparent(value: unknown): boolean {
  return parseTraceparent(value) !== undefined;
}

/**
 * The traceparent for an event emitted while handling `parent`: same trace id
 * and flags, a fresh parent id, written as version 00 (the version we speak).
 * Undefined when the parent carries no valid traceparent: there is no trace to continue.
 */
export function childTraceparent(parent: string | undefined, randomBytes: RandomBytes = cryptoRandomBytes): string | undefined {
  const parsed = parseTraceparent(parent);
  if (!parsed) return undefined;
  return `00-${parsed.traceId}-${newParentId(randomBytes)}-${parsed.flags}`;
}

function newParentId(randomBytes: RandomBytes): string {
  const bytes = new Uint8Array(8);
  bytes.set(randomBytes(8).subarray(0, 8));
  // An all-zero id is invalid; forcing one bit keeps a (vanishingly unlikely) zero draw valid without looping on a broken source.
  if (bytes.every((b) => b === 0)) bytes[7] = 1;
  return Buffer.from(bytes).toString('hex');
}

/** A traceparent that starts a new trace (for an emitted event whose cause carried none). */
export function newTraceparent(randomBytes: RandomBytes = cryptoRandomBytes): string {
  const traceId = Buffer.from(randomBytes(16).subarray(0, 16)).toString('hex').padEnd(32, '0');
  return `00-${/^0+$/.test(traceId) ? `${traceId.slice(0, 31)}1` : traceId}-${newParentId(randomBytes)}-01`;
}
