// The plugin commands of the plexus CLI (CONTRACT §8) against a real host's
// admin API: install from a relative folder and a .tgz, list, configure
// (config file, --grant, --revoke), disable, enable, uninstall; --json;
// usage errors exit 2 before any request; refusals print their code, exit 1.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.ts';
import { TOKEN } from '../admin/admin-fixture.ts';
import { cli } from '../cli/cli-fixture.ts';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { packPlugin, writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
let server: AdminServer;
let flags: string[];
before(async () => {
  fx = await startHostFixture();
  server = await startAdminServer({ host: fx.host, config: { adminListen: { host: '127.0.0.1', port: 0 } }, logger: fx.logger, token: TOKEN });
  flags = ['--admin', server.url, '--token', TOKEN];
});
after(async () => {
  await server.close();
  await fx.close();
});

const NAME = '@acme/cli-plugin';
const schema = { type: 'object', properties: { region: { type: 'string' } }, additionalProperties: false };
const run = (...argv: string[]) => cli([...argv, ...flags], { cwd: fx.work });

test('install from a folder given relative to the current directory, then list', async () => {
  const folder = await writePluginFolder(fx.work, { name: NAME, version: '1.0.0', config: schema, capabilities: { kv: true } });
  const installed = await run('install', `./${basename(folder)}`, '--grant', 'kv');
  assert.equal(installed.code, 0, installed.stderr);
  assert.equal(installed.stdout, `installed ${NAME}@1.0.0 (active)`);
  const table = await run('plugins');
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^NAME\s+VERSION\s+STATUS\s+GRANTS\s+NOT GRANTED\s+PENDING\n@acme\/cli-plugin\s+1\.0\.0\s+active\s+kv\s+-\s+-$/);
});

test('an upgrade asking for more is held back until configure --grant', async () => {
  const tgz = await packPlugin(fx.work, { name: NAME, version: '1.1.0', config: schema, capabilities: { kv: true, http: { hosts: ['api.example.com'] } } });
  const held = await run('install', tgz);
  assert.equal(held.code, 0, held.stderr);
  assert.match(held.stdout, /@acme\/cli-plugin@1\.1\.0 is installed but NOT active: it asks for http:api\.example\.com, not granted; @acme\/cli-plugin@1\.0\.0 keeps serving/);
  assert.match(held.stderr, /plexus configure @acme\/cli-plugin --grant http:api\.example\.com/);
  const granted = await run('configure', NAME, '--grant', 'http:api.example.com');
  assert.equal(granted.code, 0, granted.stderr);
  assert.equal(granted.stdout, `upgraded ${NAME}@1.1.0 (active)`);
  const json = JSON.parse((await run('plugins', '--json')).stdout);
  assert.deepEqual(json.installed[0].grants, ['kv', 'http:api.example.com']);
});

test('configure with a config file; a config the schema refuses prints its code and exits 1', async () => {
  await writeFile(join(fx.work, 'eu.json'), JSON.stringify({ region: 'eu' }));
  const configured = await run('configure', NAME, 'eu.json', '--json');
  assert.equal(configured.code, 0, configured.stderr);
  assert.deepEqual(JSON.parse(configured.stdout).config, { region: 'eu' });
  await writeFile(join(fx.work, 'bad.json'), JSON.stringify({ zone: 'eu' }));
  const refused = await run('configure', NAME, 'bad.json');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^plexus: PLEXUS_INVALID_CONFIG: /);
  const revoked = await run('configure', NAME, '--revoke', 'http:api.example.com');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stderr, /asks for http:api\.example\.com, not granted: it runs without it/);
});

test('disable, enable, uninstall', async () => {
  assert.equal((await run('disable', NAME)).stdout, `disabled ${NAME}@1.1.0 (disabled)`);
  assert.deepEqual(fx.host.plugins, []);
  assert.equal((await run('disable', NAME)).stdout, `${NAME}@1.1.0 was already disabled`);
  assert.equal((await run('enable', NAME)).stdout, `enabled ${NAME}@1.1.0 (active)`);
  assert.equal((await run('uninstall', NAME)).stdout, `uninstalled ${NAME}@1.1.0`);
  assert.equal((await run('plugins')).stdout, 'no plugins installed');
  const missing = await run('uninstall', NAME);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /PLEXUS_NOT_FOUND: plugin @acme\/cli-plugin is not installed/);
});

test('usage errors exit 2 without contacting the host', async () => {
  const unreachable = ['--admin', 'http://127.0.0.1:1', '--token', 't'];
  const commands = [['install'], ['install', 'x', '--registry', 'ftp://x'], ['uninstall'], ['enable'], ['configure', NAME], ['configure'], ['plugins', 'extra']].map((argv) => [...argv, ...unreachable]);
  for (const argv of [...commands, ['registry'], ['registry', 'stop'], ['registry', 'start', '--port', 'x']]) {
    const result = await cli(argv);
    assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /see plexus \w+ --help/);
  }
  const noFile = await cli(['install', 'x', '--config', 'missing.json', ...unreachable], { cwd: fx.work });
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /cannot read the config file/);
});
