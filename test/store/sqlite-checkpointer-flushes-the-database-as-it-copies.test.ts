// Under a steady write load SQLite syncs the database file only when a
// checkpoint catches up with the last commit, which the background thread
// rarely does; the writer's backstop checkpoint would then sync everything
// copied so far on the main thread (a 40-130 ms stall). So the checkpointer
// flushes the file itself after each pass that copied pages, and only then.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

test('the checkpointer flushes the database file after passes that copied pages, and not while nothing is written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-ckpt-flush-'));
  const path = join(dir, 'store.db');
  const store = SqliteStore.open(path);
  // The store's own checkpointer. (A second one on the same file would race it:
  // whichever passes first copies the pages, and the other has nothing to flush.)
  const checkpointer = { get flushes() { return store.checkpointFlushes; } };
  try {
    const write = async (n: number) => {
      const now = Date.now();
      const inputs = Array.from({ length: n }, () => ({ event: { specversion: '1.0' as const, id: randomUUID(), source: 'test', type: 'wal.test', data: { payload: 'x'.repeat(1000) } }, acceptedAt: now, deliveries: [] }));
      await store.accept(inputs, 0);
    };
    assert.equal(checkpointer.flushes, 0);
    for (let round = 0; round < 5; round++) {
      await write(200);
      await sleep(50);
    }
    await until(() => checkpointer.flushes > 0, 'the checkpointer flushed after copying pages');
    // Once everything written is checkpointed, idle passes copy nothing and flush nothing.
    await sleep(500);
    const settled = checkpointer.flushes;
    await sleep(500);
    assert.equal(checkpointer.flushes, settled, 'no flush while nothing was written');
    await write(200);
    await until(() => checkpointer.flushes > settled, 'a new write was copied and flushed');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
