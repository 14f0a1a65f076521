// A registry URL may carry credentials (https://user:token@host/). They were
// quoted in the install's error (which the admin API answers and logs) and in
// the `source` kept in the state file, which operators keep under version
// control. Now both show *** in their place. And a local file that is not a
// package (say /etc/hostname) is PLEXUS_INVALID_MANIFEST: pacote took a path
// without a tarball's extension for a folder, and its complaint about packing
// folders was answered as a 503 PLEXUS_UNAVAILABLE.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packTarball, publish, publishBody, type PackageJson } from '../../registry/test/helpers/packages.ts';
import { TOKEN } from '../../registry/test/helpers/registry-fixture.ts';
import { closedPort } from '../cli/cli-fixture.ts';
import { hostAndRegistryAroundTheseTests } from './host-and-registry.ts';
import { packageJson, pluginSource } from './plugin-packages.ts';

const SECRET = 's3kr1tpw-0123';

const setup = hostAndRegistryAroundTheseTests();

const withCredentials = (url: string) => url.replace('http://', `http://reader:${SECRET}@`);

test('credentials in a registry URL reach neither the recorded source nor the state file', async () => {
  const pkg = packageJson({ name: '@acme/credentialed', version: '1.0.0' }) as PackageJson;
  const tarball = await packTarball(pkg, { 'dist/plugin.js': pluginSource({ name: '@acme/credentialed', version: '1.0.0' }) });
  assert.equal((await publish(setup.registry.url, pkg, TOKEN, publishBody(pkg, tarball))).status, 201);

  const change = await setup.fx.host.pluginManager.install({ spec: '@acme/credentialed', registry: withCredentials(setup.registry.url) });
  assert.equal(change.installed.version, '1.0.0');
  assert.match(change.installed.source ?? '', /from http:\/\/\*\*\*@127\.0\.0\.1/);
  assert.doesNotMatch(change.installed.source ?? '', new RegExp(SECRET));
  assert.doesNotMatch(await readFile(setup.fx.host.pluginStatePath, 'utf8'), new RegExp(SECRET));
});

test('credentials in a registry URL are not quoted in the error of a failed install', async () => {
  const url = withCredentials(`http://127.0.0.1:${await closedPort()}/`);
  await assert.rejects(setup.fx.host.pluginManager.install({ spec: '@acme/unreachable', registry: url }), (err: Error & { code?: string; cause?: unknown }) => {
    assert.equal(err.code, 'PLEXUS_UNAVAILABLE', err.message);
    assert.match(err.message, /is the registry reachable/);
    assert.doesNotMatch(err.message, new RegExp(SECRET));
    assert.doesNotMatch(String((err.cause as Error | undefined)?.message ?? ''), new RegExp(SECRET));
    return true;
  });
  assert.doesNotMatch(JSON.stringify(setup.fx.logger.lines), new RegExp(SECRET));
});

test('a local file that is not a package is PLEXUS_INVALID_MANIFEST, not unavailable', async () => {
  const notAPackage = join(setup.fx.work, 'hostname');
  await writeFile(notAPackage, 'plexus-test-host\n');
  await assert.rejects(setup.fx.host.pluginManager.install({ spec: notAPackage }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PLEXUS_INVALID_MANIFEST', err.message);
    return true;
  });
  assert.deepEqual(setup.fx.host.plugins.map((p) => p.name), ['@acme/credentialed'], 'nothing else changed');
});
