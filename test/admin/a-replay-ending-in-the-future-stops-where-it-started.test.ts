// POST /v1/replay with a `to` still in the future: the events accepted while
// the replay runs fall inside [from, to) too. Read page by page, they would be
// replayed as well as delivered live (twice), and under a steady stream the
// replay would never end; the host's own "no to means the replay's start"
// guard only covers an absent `to`. A future end is the replay's start.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAdminApp } from '../../src/admin/admin-app.ts';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { event } from '../core/core-fixture.ts';
import { AUTH, TOKEN } from './admin-fixture.ts';
import { RecordingLogger } from './recording-logger.ts';

test('a replay whose to is in the future does not take the events accepted while it runs', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-admin-replay-future-'));
  const logger = new RecordingLogger();
  const host = await Host.start(defaultHostConfig(dir), { logger });
  const app = buildAdminApp({ host, logger, token: TOKEN });
  try {
    const from = Date.now();
    await host.accept(Array.from({ length: 5 }, () => event('test.replayed')));
    const store = host.store;
    const readJournal = store.readJournal.bind(store);
    let pages = 0;
    store.readJournal = async (query) => {
      const page = await readJournal(query);
      if (++pages === 1) {
        // More events arrive between the replay's pages.
        await new Promise((r) => setTimeout(r, 5));
        await host.accept(Array.from({ length: 3 }, () => event('test.replayed')));
      }
      return page;
    };
    const response = await app.inject({ method: 'POST', url: '/v1/replay', headers: AUTH, payload: { from, to: Date.now() + 3_600_000 } });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { replayed: 5 });
  } finally {
    await app.close();
    await host.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
