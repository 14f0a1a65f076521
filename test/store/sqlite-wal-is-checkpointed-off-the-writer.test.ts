// The writer never checkpoints in the normal course (its automatic threshold
// is only a backstop); a worker thread does, as the WAL grows. Observable:
// the WAL file stays far smaller than what was written, because once a
// checkpoint has caught up the next commit starts the log over.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { BACKSTOP_CHECKPOINT_PAGES } from '../../src/store/sqlite-checkpointer.ts';

test('the WAL is checkpointed by the background thread while the writer only commits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-wal-'));
  const path = join(dir, 'store.db');
  const store = SqliteStore.open(path);
  try {
    const payload = 'x'.repeat(2000);
    let written = 0;
    for (let round = 0; round < 30; round++) {
      const now = Date.now();
      const inputs = Array.from({ length: 200 }, () => ({ event: { specversion: '1.0' as const, id: randomUUID(), source: 'test', type: 'wal.test', data: { payload } }, acceptedAt: now, deliveries: [] }));
      await store.accept(inputs, 0);
      written += 200 * payload.length;
      await new Promise((r) => setTimeout(r, 120));
    }
    const wal = statSync(`${path}-wal`).size;
    assert.ok(written > 10_000_000, `wrote ${written} bytes`);
    assert.ok(wal < written / 3, `the WAL (${wal} bytes) kept pace with checkpoints instead of holding all ${written} bytes written`);
    // And the backstop alone would not have done it: the writer's threshold is far above what was written.
    assert.ok(BACKSTOP_CHECKPOINT_PAGES * 4096 > written);
    const reader = new DatabaseSync(path, { readOnly: true });
    assert.equal(reader.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 1000, 'a fresh connection has the default; only the writer raised its own');
    reader.close();
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
