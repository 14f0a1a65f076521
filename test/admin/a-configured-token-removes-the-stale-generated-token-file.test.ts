// A token file an earlier start generated stops opening the admin API once
// the operator configures a token (config or PLEXUS_ADMIN_TOKEN). CLI
// commands on the machine still read that file by default, and got a bare
// 401. A start with a configured token removes a token file holding any other
// token, so they say there is no token file and how to pass one; a file that
// holds the configured token is left alone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adminTokenPath, resolveAdminToken } from '../../src/admin/admin-token.ts';
import { RecordingLogger } from './recording-logger.ts';

test('a configured token removes a generated token file that holds another token, and keeps one that holds it', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-stale-token-'));
  try {
    const generated = await resolveAdminToken({ stateDir, logger: new RecordingLogger() });
    assert.ok(existsSync(adminTokenPath(stateDir)));

    const logger = new RecordingLogger();
    const configured = await resolveAdminToken({ stateDir, configured: 'configured-token-0123456789abcdef', origin: 'PLEXUS_ADMIN_TOKEN', logger });
    assert.equal(configured.token, 'configured-token-0123456789abcdef');
    assert.equal(existsSync(adminTokenPath(stateDir)), false, 'the stale file is gone');
    assert.ok(logger.lines.some((l) => l.message.startsWith('removed the generated admin token file')));
    assert.ok(!logger.text.includes(generated.token), 'neither token is logged');

    await writeFile(adminTokenPath(stateDir), 'configured-token-0123456789abcdef\n', { mode: 0o600 });
    await resolveAdminToken({ stateDir, configured: 'configured-token-0123456789abcdef', logger: new RecordingLogger() });
    assert.equal((await readFile(adminTokenPath(stateDir), 'utf8')).trim(), 'configured-token-0123456789abcdef', 'a file holding the configured token stays');
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});
