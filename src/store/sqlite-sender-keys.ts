// Keys that others choose, as the SQLite store binds them: idempotency keys
// and webhook delivery ids (senders), plugin kv keys (plugins). SQLite keeps
// text as UTF-8, so node:sqlite writes a string holding a lone surrogate
// (JSON.parse makes one of "\ud800") with U+FFFD in its place: "a\ud800",
// "a\ud801" and "a\ufffd" would reach the file as one text, one key.
import type { SQLOutputValue } from 'node:sqlite';

/**
 * `key` as a column value: the text itself when it is well-formed (every row
 * written so far), else its UTF-16 code units as a blob, which no text
 * equals. Two keys that differ only in lone surrogates stay two keys, as on
 * the Redis store (redis-keys.ts; its dedup field is the key's JSON).
 */
export function storedKey(key: string): string | Uint8Array {
  return key.isWellFormed() ? key : Buffer.from(key, 'utf16le');
}

/** The key a column value written by storedKey holds. */
export function keyFrom(value: SQLOutputValue, column: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf16le');
  throw new TypeError(`store: column ${column} is not a key`);
}
