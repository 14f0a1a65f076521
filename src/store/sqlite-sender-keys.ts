// Keys that senders choose (replay keys: webhook delivery ids; idempotency
// keys), as the SQLite store binds them. SQLite keeps text as UTF-8, so
// node:sqlite writes a string holding a lone surrogate (JSON.parse makes one
// of "\ud800") with U+FFFD in its place: "a\ud800" and "a\ud801" reach the
// file as one text. Code that compares keys in memory must compare that text,
// and a key that must stay apart from its look-alikes must not be text.

/** The text the file holds for `key` (what a row read back answers). */
export function heldText(key: string): string {
  return key.toWellFormed();
}

/**
 * An idempotency key as the dedup table's key: the text itself when it is
 * well-formed (every row written so far), else its UTF-16 code units as a
 * blob, which no text equals. Two keys that differ only in lone surrogates
 * stay two keys, as they do on the Redis store (its dedup field is their JSON).
 */
export function dedupKey(key: string): string | Uint8Array {
  return key.isWellFormed() ? key : Buffer.from(key, 'utf16le');
}
