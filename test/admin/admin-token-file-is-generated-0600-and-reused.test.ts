import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { adminTokenPath, resolveAdminToken } from '../../src/admin/admin-token.ts';
import { RecordingLogger } from './recording-logger.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-admin-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('first start generates 32 random bytes (base64url) into <stateDir>/admin-token with mode 0600', async () => {
  const stateDir = join(dir, 'state');
  const logger = new RecordingLogger();
  const token = await resolveAdminToken({ stateDir, logger });
  assert.match(token.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(token.token, 'base64url').length, 32);
  assert.equal(token.file, adminTokenPath(stateDir));
  assert.equal((await readFile(adminTokenPath(stateDir), 'utf8')).trim(), token.token);
  if (process.platform !== 'win32') assert.equal((await stat(adminTokenPath(stateDir))).mode & 0o777, 0o600);
  // Its path is logged once; the token itself never.
  assert.equal(logger.lines.filter((l) => JSON.stringify(l.fields).includes(adminTokenPath(stateDir))).length, 1);
  assert.ok(!logger.text.includes(token.token));
});

test('later starts reuse the token in the file', async () => {
  const first = await resolveAdminToken({ stateDir: dir, logger: new RecordingLogger() });
  const second = await resolveAdminToken({ stateDir: dir, logger: new RecordingLogger() });
  assert.equal(second.token, first.token);
});

test('two hosts starting at once on one state dir end up with the same token', async () => {
  const [a, b] = await Promise.all([resolveAdminToken({ stateDir: dir, logger: new RecordingLogger() }), resolveAdminToken({ stateDir: dir, logger: new RecordingLogger() })]);
  assert.equal(a.token, b.token);
  assert.equal((await readFile(adminTokenPath(dir), 'utf8')).trim(), a.token);
});

test('a configured token (config or PLEXUS_ADMIN_TOKEN) wins and writes no file', async () => {
  const logger = new RecordingLogger();
  const token = await resolveAdminToken({ stateDir: dir, configured: 'configured-token-0123456789', origin: 'PLEXUS_ADMIN_TOKEN', logger });
  assert.deepEqual(token, { token: 'configured-token-0123456789', origin: 'PLEXUS_ADMIN_TOKEN' });
  await assert.rejects(stat(adminTokenPath(dir)), { code: 'ENOENT' });
  assert.ok(!logger.text.includes('configured-token-0123456789'));
});

test('a token file readable by others is tightened to 0600, with a warning', { skip: process.platform === 'win32' }, async () => {
  await writeFile(adminTokenPath(dir), 'an-existing-token-0123456789\n', { mode: 0o644 });
  await chmod(adminTokenPath(dir), 0o644);
  const logger = new RecordingLogger();
  const token = await resolveAdminToken({ stateDir: dir, logger });
  assert.equal(token.token, 'an-existing-token-0123456789');
  assert.equal((await stat(adminTokenPath(dir))).mode & 0o777, 0o600);
  assert.ok(logger.lines.some((l) => l.level === 'warn' && l.message.includes('0600')));
});

test('an empty token file is refused rather than silently replaced', async () => {
  await writeFile(adminTokenPath(dir), '\n', { mode: 0o600 });
  await assert.rejects(resolveAdminToken({ stateDir: dir, logger: new RecordingLogger() }), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INVALID_CONFIG' && err.message.includes('empty'));
});
