// What a plugin author sees from the npm CLI when the registry refuses a
// publish: the PLEXUS_ code and our message must reach npm's stderr.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { npmClient } from './helpers/npm-cli.ts';
import { pluginPackageJson, request, writePackageDir } from './helpers/packages.ts';
import { npmSuite } from './helpers/registry-fixture.ts';

describe('npm CLI refusals', () => {
  const suite = npmSuite();

  it('npm publish of a plugin with a broken plexus manifest fails showing PLEXUS_INVALID_MANIFEST and the field', async () => {
    const pkg = pluginPackageJson('broken-plugin', '1.0.0', { plexus: { apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: [] } });
    const result = await suite().npm.run(['publish'], await writePackageDir(join(suite().dir, 'broken'), pkg));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /400 Bad Request - PUT .*broken-plugin - PLEXUS_INVALID_MANIFEST: Invalid plugin manifest: plexus\.subscribe/);
    assert.equal((await request(`${suite().url}/broken-plugin`)).status, 404, 'nothing was stored');
  });

  it('npm publish of a plugin whose plexus.main is not in the package fails with PLEXUS_INVALID_MANIFEST', async () => {
    const pkg = pluginPackageJson('mainless-plugin', '1.0.0');
    const result = await suite().npm.run(['publish'], await writePackageDir(join(suite().dir, 'mainless'), pkg, { 'index.js': '' }));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /PLEXUS_INVALID_MANIFEST: Invalid plugin manifest: plexus\.main: "dist\/plugin\.js" is not in the package tarball/);
  });

  it('re-publishing an existing version fails; with --force the registry answers 409 PLEXUS_CONFLICT', async () => {
    const dir = await writePackageDir(join(suite().dir, 'dup'), pluginPackageJson('dup-plugin', '1.0.0'));
    assert.equal((await suite().npm.run(['publish'], dir)).code, 0);
    const again = await suite().npm.run(['publish'], dir);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /cannot publish over the previously published versions: 1\.0\.0/);
    // --force skips npm's own pre-check, so the PUT reaches the registry.
    const forced = await suite().npm.run(['publish', '--force'], dir);
    assert.notEqual(forced.code, 0);
    assert.match(forced.stderr, /409 Conflict - PUT .*dup-plugin - PLEXUS_CONFLICT: dup-plugin@1\.0\.0 is already published and versions are immutable/);
  });

  it('npm publish with a wrong token fails with 401 PLEXUS_UNAUTHORIZED', async () => {
    const wrong = await npmClient(join(suite().dir, 'npm-wrong'), suite().url, 'not-the-token');
    const result = await wrong.run(['publish'], await writePackageDir(join(suite().dir, 'wrong'), pluginPackageJson('wrong-token-plugin', '1.0.0')));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /401 Unauthorized - PUT .*wrong-token-plugin - PLEXUS_UNAUTHORIZED: The token is not valid for this registry/);
    assert.equal((await request(`${suite().url}/wrong-token-plugin`)).status, 404);
  });

  // npm refuses locally before any upload; the registry's own 401 for a missing token is in publish-refusals-http.
  it('npm publish and whoami without a token stop with ENEEDAUTH', async () => {
    const anonymous = await npmClient(join(suite().dir, 'npm-anon'), suite().url, undefined);
    const dir = await writePackageDir(join(suite().dir, 'anon'), pluginPackageJson('anon-plugin', '1.0.0'));
    const result = await anonymous.run(['publish'], dir);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /ENEEDAUTH/);
    const whoami = await anonymous.run(['whoami'], dir);
    assert.notEqual(whoami.code, 0);
    assert.match(whoami.stderr, /ENEEDAUTH/);
  });
});
