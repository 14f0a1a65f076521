// A journal replay without `to` means "up to now", and now is when the replay
// started. The journal is read a page at a time; were "now" taken again for
// each page, the events accepted while the replay runs would be replayed too
// (delivered twice, counted in `replayed`), and under a fast stream the
// replay would never end.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import type { JournalQuery } from '../../src/store/store.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import { event } from './core-fixture.ts';

test('events accepted while a replay runs are not part of it', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-replay-window-'));
  const host = await Host.start(defaultHostConfig(dir), { logger: new RecordingLogger() });
  try {
    const from = Date.now();
    await host.accept(Array.from({ length: 5 }, () => event('test.replayed')));
    const store = host.store;
    const readJournal = store.readJournal.bind(store);
    const queries: JournalQuery[] = [];
    let acceptedDuring = 0;
    store.readJournal = async (query) => {
      queries.push(query);
      const page = await readJournal(query);
      if (queries.length === 1) {
        // More events arrive between the replay's pages.
        await new Promise((r) => setTimeout(r, 5));
        await host.accept(Array.from({ length: 3 }, () => event('test.replayed')));
        acceptedDuring = 3;
      }
      return page;
    };
    const replayed = await host.replay({ from });
    assert.equal(acceptedDuring, 3);
    assert.equal(replayed, 5);
    assert.ok(queries.every((q) => q.to === queries[0]?.to && typeof q.to === 'number'), 'every page reads up to the same end');
  } finally {
    await host.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
