import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

test('no file: the embedded default under ./.plexus, webhooks on 0.0.0.0:8080, admin on 127.0.0.1:9090', async () => {
  const loaded = await loadConfig({ env: {}, cwd: '/srv/app' });
  assert.deepEqual(loaded.host, defaultHostConfig('/srv/app/.plexus'));
  assert.deepEqual(loaded.host.listen, { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(loaded.host.adminListen, { host: '127.0.0.1', port: 9090 });
  assert.equal(loaded.logLevel, 'info');
  assert.equal(loaded.file, undefined);
  assert.equal(loaded.adminTokenOrigin, undefined);
});

test('CLI flags override the file; relative flag paths resolve from the working directory', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'plexus.yaml', 'stateDir: ./from-file\nlisten: 0.0.0.0:8081\nadminListen: 127.0.0.1:9091\n');
    const loaded = await loadConfig({ file, env: {}, cwd: '/work/here', flags: { stateDir: 'flag-state', listen: '127.0.0.1:7000', adminListen: '127.0.0.1:0' } });
    assert.equal(loaded.host.stateDir, '/work/here/flag-state');
    assert.deepEqual(loaded.host.listen, { host: '127.0.0.1', port: 7000 });
    assert.deepEqual(loaded.host.adminListen, { host: '127.0.0.1', port: 0 });
  });
});

test('PLEXUS_STATE_DIR, PLEXUS_ADMIN_TOKEN and PLEXUS_LOG_LEVEL override the file; flags override them', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'plexus.yaml', 'stateDir: ./from-file\nadminToken: from-the-file-0123456789\nlogLevel: warn\n');
    const env = { PLEXUS_STATE_DIR: '/var/lib/plexus', PLEXUS_ADMIN_TOKEN: 'from-the-env-0123456789', PLEXUS_LOG_LEVEL: 'debug' };
    const loaded = await loadConfig({ file, env });
    assert.equal(loaded.host.stateDir, '/var/lib/plexus');
    assert.equal(loaded.host.adminToken, 'from-the-env-0123456789');
    assert.equal(loaded.adminTokenOrigin, 'PLEXUS_ADMIN_TOKEN');
    assert.equal(loaded.logLevel, 'debug');
    const flagged = await loadConfig({ file, env, flags: { stateDir: '/opt/state' } });
    assert.equal(flagged.host.stateDir, '/opt/state');
  });
});

test('an adminToken from the file is reported as such; empty env overrides are ignored', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'plexus.yaml', 'adminToken: from-the-file-0123456789\n');
    const loaded = await loadConfig({ file, env: { PLEXUS_ADMIN_TOKEN: '', PLEXUS_STATE_DIR: '' } });
    assert.equal(loaded.host.adminToken, 'from-the-file-0123456789');
    assert.equal(loaded.adminTokenOrigin, 'the config file');
    assert.equal(loaded.host.stateDir, join(dir, '.plexus'));
  });
});

test('a bad override names where it came from', async () => {
  await assertInvalidConfig(loadConfig({ env: {}, flags: { listen: 'localhost' } }), 'listen must be host:port', '(from --listen)');
  await assertInvalidConfig(loadConfig({ env: {}, flags: { adminListen: '127.0.0.1:70000' } }), 'adminListen', '(from --admin-listen)');
  await assertInvalidConfig(loadConfig({ env: { PLEXUS_ADMIN_TOKEN: 'short' } }), 'adminToken must NOT have fewer than 16 characters', '(from PLEXUS_ADMIN_TOKEN)');
  await assertInvalidConfig(loadConfig({ env: { PLEXUS_LOG_LEVEL: 'loud' } }), 'logLevel must be one of', '(from PLEXUS_LOG_LEVEL)');
});
