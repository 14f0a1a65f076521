// A database written by schema version 1 (a row per event and per delivery)
// opens under version 2 with nothing lost: journal, pending deliveries with
// their attempts and errors, the DLQ, and a seq that is never handed out twice.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { MIGRATIONS } from '../../src/store/sqlite-schema.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ERROR, T, event, ids, input } from './conformance-helpers.ts';

/** A version 1 file: e1 and e2 pending (d2 retried once), e3 dead-lettered, e4 pruned. */
function writeVersion1(path: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
    db.exec(MIGRATIONS[0] as string);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', 1)").run();
    const insertEvent = db.prepare('INSERT INTO events (id, source, type, accepted_at, envelope) VALUES (?, ?, ?, ?, ?)');
    ['e1', 'e2', 'e3', 'e4'].forEach((id, i) => {
      const e = event(id);
      insertEvent.run(e.id, e.source, e.type, T + i, JSON.stringify(e));
    });
    db.prepare('DELETE FROM events WHERE seq = 4').run();
    const insertDelivery = db.prepare('INSERT INTO deliveries (id, seq, plugin, attempt, available_at, accepted_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)');
    insertDelivery.run('d1', 1, 'a', 0, T, T, null);
    insertDelivery.run('d2', 2, 'b', 1, T + 500, T + 1, JSON.stringify(ERROR));
    db.prepare(`INSERT INTO dlq (id, seq, plugin, source, type, reason, attempts, error, accepted_at, dead_at, envelope)
      VALUES ('x3', 3, 'a', 'test/source', 'orders.eu.created', 'exhausted', 3, ?, ?, ?, ?)`).run(JSON.stringify(ERROR), T + 2, T + 9, JSON.stringify(event('e3')));
  } finally {
    db.close();
  }
}

test('a version 1 database is migrated with its journal, pending deliveries, DLQ and seq counter', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-migrate-'));
  const path = join(dir, 'plexus.db');
  try {
    writeVersion1(path);
    const store = SqliteStore.open(path);
    try {
      assert.deepEqual((await store.readJournal({ from: 0, to: T + 10, limit: 10 })).map((j) => [j.seq, j.acceptedAt, j.event.id]), [[1, T, 'e1'], [2, T + 1, 'e2'], [3, T + 2, 'e3']]);
      assert.deepEqual(await store.pending(), [
        { id: 'd1', seq: 1, plugin: 'a', event: event('e1'), attempt: 0, availableAt: T, acceptedAt: T },
        { id: 'd2', seq: 2, plugin: 'b', event: event('e2'), attempt: 1, availableAt: T + 500, acceptedAt: T + 1, lastError: ERROR },
      ]);
      assert.deepEqual(await store.depth(), { a: 1, b: 1 });
      const { created } = await store.accept([input(event('e5'), T + 5, [['d5', 'a']])], 60_000);
      assert.equal(created[0]?.seq, 5, 'seq 4 was handed out before the migration and is not reused');
      await store.settle([{ kind: 'done', deliveryId: 'd1' }, { kind: 'dead', deliveryId: 'd2', attempt: 2, reason: 'exhausted', error: ERROR, at: T + 9 }], [], 60_000);
      assert.equal((await store.getDlq('d2'))?.event.id, 'e2');
      assert.deepEqual(ids(await store.replayDlq({ ids: ['x3'] }, T + 20)), ['x3']);
      assert.deepEqual(ids(await store.pending()), ['x3', 'd5']);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
