// The conformance suite on the SQLite store, each test on a fresh WAL file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { describeStore } from './store-conformance.ts';

describeStore('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-store-'));
  const store = SqliteStore.open(join(dir, 'state', 'plexus.db'));
  return {
    store,
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
