// Stream entries whose fields are not UTF-8, read again as bytes. The
// consumer reads entries as text (ioredis' `call`), which is what nearly
// every entry is and what the hot path can afford. Text decoding replaces
// bytes that are not UTF-8 with U+FFFD, so plugins would see other bytes
// than were sent. An entry with U+FFFD in any field is therefore read again
// with XRANGE as Buffers before it is taken, and its exact bytes decide:
// valid UTF-8 (a real U+FFFD) keeps its text; otherwise the entry carries
// its raw fields, and decoding makes a binary `data` field `data_base64`
// (redis-entry.ts). Entries are immutable in a stream, so the second read
// sees what the first did, or nothing if the entry was deleted meanwhile.
import type { Redis } from 'ioredis';
import type { StreamEntry } from './redis-stream-replies.ts';

const REPLACEMENT = '\uFFFD';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether any entry of a batch may have been decoded lossily (checked per batch on the hot path: no allocation). */
export function mayHoldBytes(entries: readonly StreamEntry[]): boolean {
  for (const { fields } of entries) {
    if (fields === null) continue;
    for (const field of fields) if (field.includes(REPLACEMENT)) return true;
  }
  return false;
}

/** The entries with those that held U+FFFD read again as bytes; order kept. */
export async function withExactBytes(entries: readonly StreamEntry[], commands: Pick<Redis, 'callBuffer'>, key: string): Promise<StreamEntry[]> {
  return Promise.all(entries.map(async (entry) => {
    if (entry.fields === null || !entry.fields.some((field) => field.includes(REPLACEMENT))) return entry;
    return exactEntry(entry.id, await commands.callBuffer('XRANGE', [key, entry.id, entry.id]));
  }));
}

/** One entry from an XRANGE reply read as Buffers: [[id, [field, value, …]]], or [] once deleted. */
export function exactEntry(id: string, reply: unknown): StreamEntry {
  const item: unknown = Array.isArray(reply) ? reply[0] : undefined;
  const raw: unknown = Array.isArray(item) ? item[1] : undefined;
  if (!Array.isArray(raw)) return { id, fields: null };
  const bytes = raw.map((value) => (Buffer.isBuffer(value) ? value : Buffer.from(String(value))));
  const text = bytes.map(decodeExactly);
  if (text.every((value) => value !== undefined)) return { id, fields: text };
  return { id, fields: bytes.map((value) => value.toString('utf8')), raw: bytes };
}

function decodeExactly(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
