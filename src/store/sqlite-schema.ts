// Opening a SQLite store: connection settings and the schema, created or
// migrated forward on open. The version lives in a `meta` row so a database
// written by a newer Plexus is refused instead of being misread.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { PlexusError } from '@plexus/plugin-sdk';
import { topicMatches } from '@plexus/plugin-sdk/runtime';

/** One entry per schema version; entry i migrates version i to i + 1. Never edit a shipped entry. Exported for the migration tests. */
export const MIGRATIONS: readonly string[] = [
  `
  -- AUTOINCREMENT: seq must never be reused, even after prune empties the table
  -- (readers page with afterSeq).
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    envelope TEXT NOT NULL
  );
  -- Only accepted_at is indexed: every index is paid on each accept, and a
  -- replay filtered by type scans its time range anyway.
  CREATE INDEX events_accepted_at ON events (accepted_at);

  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    plugin TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    available_at INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL,
    last_error TEXT
  ) WITHOUT ROWID;
  -- Clustered on id: the engine's ids are time-ordered, so inserts append.
  -- prune keeps events a pending delivery still needs (by seq); depth scans
  -- this table, which holds only unfinished work.
  CREATE INDEX deliveries_seq ON deliveries (seq);

  -- the DLQ keeps its own copy of the envelope: it may outlive the journal entry
  CREATE TABLE dlq (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    plugin TEXT NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT,
    accepted_at INTEGER NOT NULL,
    dead_at INTEGER NOT NULL,
    envelope TEXT NOT NULL
  );
  CREATE INDEX dlq_dead_at ON dlq (dead_at, id);
  CREATE INDEX dlq_plugin_dead_at ON dlq (plugin, dead_at);

  CREATE TABLE dedup (
    idem_key TEXT NOT NULL,
    plugin TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (idem_key, plugin)
  ) WITHOUT ROWID;
  CREATE INDEX dedup_expires_at ON dedup (expires_at);

  CREATE TABLE kv (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (ns, key)
  ) WITHOUT ROWID;
  CREATE INDEX kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE seen (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX seen_expires_at ON seen (expires_at);
  `,
  `
  -- Version 2: per-event rows were the cost of an accept (two B-tree inserts,
  -- two index inserts and a delete per event). The journal and fresh
  -- deliveries are now kept per accepted batch; see sqlite-chunks.ts and
  -- sqlite-pending-index.ts.
  --
  -- One journal row per accepted batch: element i of entries is event
  -- first_seq + i as [accepted_at, envelope], or null once retention pruned
  -- it. min_at/max_at bound the live entries (readJournal and prune seek on them).
  CREATE TABLE journal (
    first_seq INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    min_at INTEGER NOT NULL,
    max_at INTEGER NOT NULL,
    entries TEXT NOT NULL
  );
  CREATE INDEX journal_min_at ON journal (min_at);
  CREATE INDEX journal_max_at ON journal (max_at);
  INSERT INTO journal (first_seq, last_seq, min_at, max_at, entries)
    SELECT seq, seq, accepted_at, accepted_at, '[[' || accepted_at || ',' || envelope || ']]' FROM events;
  -- seq is allocated from this counter: it must never be reused, even after
  -- prune empties the journal (readers page with afterSeq).
  INSERT INTO meta (key, value)
    SELECT 'last_seq', coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0);
  DROP TABLE events;

  -- The fresh deliveries (attempt 0) of one journal row to one plugin: ids[i]
  -- goes with event first_seq + events[i] and is pending while bit i of
  -- pending is set; settling 'done' clears bits. The row goes when left is 0.
  -- A delivery that is retried leaves its batch for a row in deliveries,
  -- which now holds only those exceptions and replays.
  CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    plugin TEXT NOT NULL,
    left INTEGER NOT NULL,
    pending BLOB NOT NULL,
    events TEXT NOT NULL,
    ids TEXT NOT NULL
  );
  -- Nothing looks deliveries up by seq any more (prune reads them all).
  DROP INDEX deliveries_seq;
  `,
  `
  -- Version 3: replay keys ordered by expiry, found through an in-memory set
  -- of their hashes (sqlite-seen.ts). Keyed by the key, each random delivery
  -- id had dirtied a random page of the seen table at every commit.
  CREATE TABLE seen_log (
    expires_at INTEGER NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (expires_at, key)
  ) WITHOUT ROWID;
  INSERT INTO seen_log (expires_at, key) SELECT expires_at, key FROM seen;
  DROP TABLE seen;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    configure(db);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function configure(db: DatabaseSync): void {
  // First, so that even switching to WAL waits: another process (a CLI, a
  // second host on the same file) may hold a lock briefly; wait for it rather
  // than failing with SQLITE_BUSY.
  db.exec('PRAGMA busy_timeout = 5000');
  // WAL: readers never block the writer, and a commit is one sequential append.
  db.exec('PRAGMA journal_mode = WAL');
  // NORMAL in WAL mode skips the fsync at each commit (the WAL is synced at
  // checkpoints). A committed transaction has already been written to the WAL
  // file, i.e. handed to the OS, so a crash or SIGKILL of this process cannot
  // lose it; only an OS crash or power loss can drop the last commits. That
  // is the trade the delivery engine wants: an fsync per batch would cap
  // throughput at the disk's flush rate.
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = OFF');
  db.function('topic_matches', { deterministic: true }, (pattern, type) =>
    typeof pattern === 'string' && typeof type === 'string' && topicMatches(pattern, type) ? 1 : 0,
  );
}

function migrate(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get();
    const current = typeof row?.value === 'number' ? row.value : 0;
    if (current > SCHEMA_VERSION) {
      throw new PlexusError('PLEXUS_UNAVAILABLE', `store schema version ${current} is newer than this Plexus supports (${SCHEMA_VERSION})`);
    }
    for (let version = current; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version] as string);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(SCHEMA_VERSION);
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
