// A store that cannot take a write now (another process holds the SQLite
// file's write lock past busy_timeout, the disk is full, Redis is down) used
// to answer 500 PLEXUS_INTERNAL, which says the host is broken and tells a
// client nothing. It is 503 PLEXUS_UNAVAILABLE: a dependency is not
// available, try again. Real errors of both backends, and one end to end:
// POST /v1/events while another connection holds the store's write lock.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { buildAdminApp } from '../../src/admin/admin-app.ts';
import { toPlexusError } from '../../src/admin/error-replies.ts';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { closedPort } from '../cli/cli-fixture.ts';
import { RecordingLogger } from './recording-logger.ts';

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

test("SQLite's disk-full and Redis' connection errors are PLEXUS_UNAVAILABLE; other errors stay PLEXUS_INTERNAL", async () => {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE t (x BLOB)');
  db.exec('PRAGMA max_page_count = 3');
  const full = thrownBy(() => {
    for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(2000));
  });
  assert.equal(toPlexusError(full).code, 'PLEXUS_UNAVAILABLE');
  assert.equal(toPlexusError(full).status, 503);
  assert.match(toPlexusError(full).message, /database or disk is full/);
  const syntax = thrownBy(() => db.exec('SELEKT 1'));
  assert.equal(toPlexusError(syntax).code, 'PLEXUS_INTERNAL', 'a bug stays a bug');

  const redis = new Redis({ port: await closedPort(), maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined);
  const down = await redis.get('x').then(() => undefined, (err: unknown) => err);
  redis.disconnect();
  assert.equal(toPlexusError(down).code, 'PLEXUS_UNAVAILABLE');
  assert.equal(toPlexusError(new TypeError('x is undefined')).code, 'PLEXUS_INTERNAL');
});

test('POST /v1/events while another process holds the store file is 503 PLEXUS_UNAVAILABLE, then 202 once it lets go', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-store-busy-'));
  const host = await Host.start({ ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1 } }, { logger: new RecordingLogger() });
  const app = buildAdminApp({ host, token: 'store-busy-token-0123456789', logger: new RecordingLogger() });
  const auth = { authorization: 'Bearer store-busy-token-0123456789' };
  const other = new DatabaseSync(join(stateDir, 'plexus.db'));
  try {
    other.exec('BEGIN IMMEDIATE');
    const refused = await app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { type: 'test.busy', data: {} } });
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal((refused.json() as { error: { code: string } }).error.code, 'PLEXUS_UNAVAILABLE');
    other.exec('ROLLBACK');
    const accepted = await app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { type: 'test.busy', data: {} } });
    assert.equal(accepted.statusCode, 202, accepted.body);
  } finally {
    other.close();
    await app.close();
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
