// The journal of the SQLite store, one row per accepted batch (schema v2;
// a batch whose text would be very long is cut into several rows):
// writing a batch costs one row however many events it holds, and each
// envelope is serialized once (its text is also what the sandbox is sent).
// Reading an event means parsing its whole row, which only the rare paths do
// (retry, dead-letter, replay, recovery, readJournal); they read through a
// Chunks object, which parses each row at most once per call and writes
// changed rows back once.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { AcceptInput } from './store.ts';
import type { Statements } from './sqlite-statements.ts';
import { int, text } from './sqlite-rows.ts';
import { MAX_TEXT_CHARS } from './text-budget.ts';

/** Element i of a row: event first_seq + i, or null once retention pruned it. */
export type ChunkEntry = [acceptedAt: number, event: PlexusEvent] | null;

export interface Chunk {
  firstSeq: number;
  lastSeq: number;
  entries: ChunkEntry[];
}

export interface Entry {
  seq: number;
  acceptedAt: number;
  event: PlexusEvent;
}

const INSERT = 'INSERT INTO journal (first_seq, last_seq, min_at, max_at, entries) VALUES (?, ?, ?, ?, ?)';
const UPDATE = 'UPDATE journal SET min_at = ?, max_at = ?, entries = ? WHERE first_seq = ?';
const DELETE = 'DELETE FROM journal WHERE first_seq = ?';
const NEXT_SEQS = "UPDATE meta SET value = value + ? WHERE key = 'last_seq' RETURNING value";
// Only the bounds: the entries column (overflow pages) is read once per row, by parse().
const COVERING = 'SELECT first_seq, last_seq FROM journal WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1';
const ENTRIES = 'SELECT entries FROM journal WHERE first_seq = ?';
/** What an entry adds to its event's text: `[acceptedAt,` (13-digit ms), `]` and a comma. */
const ENTRY_CHARS = 16;

/**
 * Call inside a transaction. Journals `inputs` as one row, or as several when
 * their text would pass MAX_TEXT_CHARS (text-budget.ts); answers the seq of
 * the first and each event's JSON text (the row is those texts joined, so the
 * caller can reuse them rather than serialize the events again).
 */
export function appendChunk(statements: Statements, inputs: readonly AcceptInput[]): { firstSeq: number; eventJsons: string[] } {
  const row = statements.sql(NEXT_SEQS).get(inputs.length);
  if (row === undefined) throw new TypeError('store: the last_seq counter is missing');
  const firstSeq = int(row, 'value') - inputs.length + 1;
  const eventJsons: string[] = new Array<string>(inputs.length);
  let start = 0;
  let chars = 0;
  for (let i = 0; i < inputs.length; i++) {
    const json = JSON.stringify((inputs[i] as AcceptInput).event);
    eventJsons[i] = json;
    const size = json.length + ENTRY_CHARS;
    if (i > start && chars + size > MAX_TEXT_CHARS) {
      insertJournalRow(statements, firstSeq, inputs, eventJsons, start, i);
      start = i;
      chars = 0;
    }
    chars += size;
  }
  insertJournalRow(statements, firstSeq, inputs, eventJsons, start, inputs.length);
  return { firstSeq, eventJsons };
}

/** One journal row for inputs [start, end), which hold seqs firstSeq + start onwards. */
function insertJournalRow(statements: Statements, firstSeq: number, inputs: readonly AcceptInput[], eventJsons: readonly string[], start: number, end: number): void {
  const whole = start === 0 && end === inputs.length;
  const rowInputs = whole ? inputs : inputs.slice(start, end);
  const rowJsons = whole ? eventJsons : eventJsons.slice(start, end);
  let minAt = Infinity;
  let maxAt = -Infinity;
  for (const { acceptedAt } of rowInputs) {
    if (acceptedAt < minAt) minAt = acceptedAt;
    if (acceptedAt > maxAt) maxAt = acceptedAt;
  }
  statements.run(INSERT, firstSeq + start, firstSeq + end - 1, minAt, maxAt, entriesText(rowInputs, rowJsons, minAt === maxAt));
}

/**
 * The row's text, the same as JSON.stringify([[acceptedAt, event], ...])
 * (acceptedAt is a finite integer). One accept stamps all its events with
 * one time: then one join makes the text in a single copy, where appending
 * piece by piece built a rope of small strings to flatten (this runs for
 * every accepted event: ~25% less garbage and time).
 */
export function entriesText(inputs: readonly AcceptInput[], eventJsons: readonly string[], oneTime: boolean): string {
  const n = eventJsons.length;
  if (oneTime && n > 0) {
    const at = (inputs[0] as AcceptInput).acceptedAt;
    const parts = eventJsons.slice();
    parts[0] = `[[${at},${parts[0] as string}`;
    parts[n - 1] = `${parts[n - 1] as string}]]`;
    return parts.join(`],[${at},`);
  }
  let entries = '[';
  for (let i = 0; i < n; i++) entries += `${i === 0 ? '' : ','}[${(inputs[i] as AcceptInput).acceptedAt},${eventJsons[i] as string}]`;
  return `${entries}]`;
}

export function parseEntries(json: string): ChunkEntry[] {
  const entries: unknown = JSON.parse(json);
  if (!Array.isArray(entries)) throw new TypeError('store: a journal row is not an array');
  return entries as ChunkEntry[];
}

/** Writes a changed row back: its time bounds follow the live entries, and a row with none left goes. Answers false if it went. */
export function saveChunk(statements: Statements, chunk: Chunk): boolean {
  let minAt = Infinity;
  let maxAt = -Infinity;
  for (const entry of chunk.entries) {
    if (entry === null) continue;
    if (entry[0] < minAt) minAt = entry[0];
    if (entry[0] > maxAt) maxAt = entry[0];
  }
  if (minAt === Infinity) {
    statements.run(DELETE, chunk.firstSeq);
    return false;
  }
  statements.run(UPDATE, minAt, maxAt, JSON.stringify(chunk.entries), chunk.firstSeq);
  return true;
}

/** Journal rows read during one call: each parsed at most once; `restore` changes are written by flush(). */
export class Chunks {
  readonly #statements: Statements;
  readonly #parsed = new Map<number, Chunk>();
  readonly #changed = new Set<Chunk>();
  /** The last row hit: deliveries are read in seq order, so most lookups land in it. */
  #last: Chunk | undefined;

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  /** The live journal entry of `seq`, if any. */
  entry(seq: number): Entry | undefined {
    const chunk = this.#chunkOf(seq);
    const entry = chunk?.entries[seq - chunk.firstSeq];
    return entry ? { seq, acceptedAt: entry[0], event: entry[1] } : undefined;
  }

  /** Puts a pruned entry back under its old seq (a replayed DLQ entry needs it); a live one is left as it is. */
  restore(seq: number, acceptedAt: number, event: PlexusEvent): void {
    const chunk = this.#chunkOf(seq);
    if (chunk === undefined) {
      this.#statements.run(INSERT, seq, seq, acceptedAt, acceptedAt, JSON.stringify([[acceptedAt, event]]));
      this.#remember({ firstSeq: seq, lastSeq: seq, entries: [[acceptedAt, event]] });
    } else if (chunk.entries[seq - chunk.firstSeq] === null) {
      chunk.entries[seq - chunk.firstSeq] = [acceptedAt, event];
      this.#changed.add(chunk);
    }
  }

  /** Call inside the transaction that restored entries. */
  flush(): void {
    for (const chunk of this.#changed) saveChunk(this.#statements, chunk);
    this.#changed.clear();
  }

  #chunkOf(seq: number): Chunk | undefined {
    const last = this.#last;
    if (last !== undefined && seq >= last.firstSeq && seq <= last.lastSeq) return last;
    const bounds = this.#statements.sql(COVERING).get(seq);
    if (bounds === undefined || int(bounds, 'last_seq') < seq) return undefined;
    const firstSeq = int(bounds, 'first_seq');
    const known = this.#parsed.get(firstSeq);
    if (known !== undefined) return (this.#last = known);
    const row = this.#statements.sql(ENTRIES).get(firstSeq);
    if (row === undefined) return undefined;
    return this.#remember({ firstSeq, lastSeq: int(bounds, 'last_seq'), entries: parseEntries(text(row, 'entries')) });
  }

  #remember(chunk: Chunk): Chunk {
    this.#parsed.set(chunk.firstSeq, chunk);
    return (this.#last = chunk);
  }
}
