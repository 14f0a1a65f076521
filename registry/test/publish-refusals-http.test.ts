// Publishes npm itself would never send (a tarball that contradicts its
// metadata, no token), made by hand over real HTTP. Each refusal asserts the
// status, the PLEXUS_ code and the message, and that nothing was stored.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { packTarball, pluginPackageJson, publish, publishBody, request, sri, type HttpResult } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

interface NpmErrorBody {
  error: string;
  code: string;
  message: string;
}

function assertRefused(result: HttpResult, status: number, code: string, message: RegExp): void {
  const body = result.body as NpmErrorBody;
  assert.equal(result.status, status, JSON.stringify(body));
  assert.equal(body.code, code);
  assert.match(body.message, message);
  assert.equal(body.error, `${code}: ${body.message}`, 'npm shows body.error, so it carries code and message');
}

describe('publish refusals over HTTP', () => {
  let fx: RegistryFixture;

  before(async () => {
    fx = await startFixture({ maxTarballBytes: 64 * 1024 });
  });
  after(() => fx.close());

  async function assertNotStored(name: string): Promise<void> {
    assert.equal((await request(`${fx.url}/${name.replace('/', '%2f')}`)).status, 404, `${name} must not be stored`);
  }

  it('a publish without a token is refused with 401 PLEXUS_UNAUTHORIZED', async () => {
    const pkg = pluginPackageJson('no-token', '1.0.0');
    assertRefused(await publish(fx.url, pkg, undefined), 401, 'PLEXUS_UNAUTHORIZED', /Authentication required: send "Authorization: Bearer <token>"/);
    await assertNotStored(pkg.name);
  });

  it('a publish without a token is refused with 401 before its body is read, even above the body limit', async () => {
    const pkg = pluginPackageJson('no-token-huge', '1.0.0');
    const body = { ...publishBody(pkg, await packTarball(pkg)), padding: 'x'.repeat(2 * 1024 * 1024) };
    assertRefused(await publish(fx.url, pkg, undefined, body), 401, 'PLEXUS_UNAUTHORIZED', /Authentication required/);
  });

  it('a publish with a wrong token is refused with 401 PLEXUS_UNAUTHORIZED', async () => {
    const pkg = pluginPackageJson('wrong-token', '1.0.0');
    assertRefused(await publish(fx.url, pkg, `${TOKEN}x`), 401, 'PLEXUS_UNAUTHORIZED', /The token is not valid for this registry/);
    await assertNotStored(pkg.name);
  });

  it('a tarball that does not match dist.integrity is refused with PLEXUS_INTEGRITY_MISMATCH', async () => {
    const pkg = pluginPackageJson('bad-integrity', '1.0.0');
    const tarball = await packTarball(pkg);
    const body = publishBody(pkg, tarball, { integrity: sri(Buffer.from('something else')) });
    assertRefused(await publish(fx.url, pkg, TOKEN, body), 400, 'PLEXUS_INTEGRITY_MISMATCH', /does not match dist\.integrity/);
    await assertNotStored(pkg.name);
  });

  it('an attachment whose declared length does not match its data is refused with PLEXUS_INTEGRITY_MISMATCH', async () => {
    const pkg = pluginPackageJson('bad-length', '1.0.0');
    const tarball = await packTarball(pkg);
    const body = publishBody(pkg, tarball, { length: tarball.length + 1 });
    assertRefused(await publish(fx.url, pkg, TOKEN, body), 400, 'PLEXUS_INTEGRITY_MISMATCH', new RegExp(`declared length \\(${tarball.length + 1}\\) does not match its data \\(${tarball.length} bytes\\)`));
    await assertNotStored(pkg.name);
  });

  it('a tarball whose package.json has another version than the metadata is refused', async () => {
    const inside = pluginPackageJson('version-swap', '6.6.6');
    const claimed = pluginPackageJson('version-swap', '1.0.0');
    const body = publishBody(inside, await packTarball(inside), { manifest: claimed });
    assertRefused(await publish(fx.url, claimed, TOKEN, body), 400, 'PLEXUS_INTEGRITY_MISMATCH', /"version" is "6\.6\.6" in the tarball but "1\.0\.0" in the metadata/);
    await assertNotStored(claimed.name);
  });

  it('a tarball whose plexus manifest differs from the metadata is refused', async () => {
    const inside = pluginPackageJson('manifest-swap', '1.0.0', { plexus: { apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: ['#'], capabilities: { http: { hosts: ['evil.example'] } } } });
    const claimed = pluginPackageJson('manifest-swap', '1.0.0');
    const body = publishBody(inside, await packTarball(inside), { manifest: claimed });
    assertRefused(await publish(fx.url, claimed, TOKEN, body), 400, 'PLEXUS_INTEGRITY_MISMATCH', /"plexus" is .*evil\.example.* in the tarball but .* in the metadata/);
    await assertNotStored(claimed.name);
  });

  it('a plugin whose manifest is broken only in the tarball is refused with PLEXUS_INVALID_MANIFEST', async () => {
    // The keyword claim is in the tarball only: the tarball is what the host installs, so it is validated too.
    const inside = { name: 'hidden-plugin', version: '1.0.0', keywords: ['plexus-plugin'] };
    const claimed = { name: 'hidden-plugin', version: '1.0.0' };
    const body = publishBody(inside, await packTarball(inside), { manifest: claimed });
    assertRefused(await publish(fx.url, claimed, TOKEN, body), 400, 'PLEXUS_INVALID_MANIFEST', /plexus/);
    await assertNotStored(claimed.name);
  });

  it('a tarball with entries beside package/ is refused: an installer could take them for the package', async () => {
    const pkg = pluginPackageJson('two-tops', '1.0.0');
    const hidden = JSON.stringify(pluginPackageJson('victim', '9.9.9'));
    const body = publishBody(pkg, await packTarball(pkg, undefined, { 'other/package.json': hidden }));
    assertRefused(await publish(fx.url, pkg, TOKEN, body), 400, 'PLEXUS_INVALID_REQUEST', /entry "other\/.*" is outside package\//);
    await assertNotStored(pkg.name);
  });

  it('an attachment that is not a tarball is refused with PLEXUS_INVALID_REQUEST', async () => {
    const pkg = pluginPackageJson('not-a-tarball', '1.0.0');
    const body = publishBody(pkg, Buffer.from('definitely not gzip'));
    assertRefused(await publish(fx.url, pkg, TOKEN, body), 400, 'PLEXUS_INVALID_REQUEST', /not a valid package tarball/);
  });

  it('a tarball above the size limit is refused with 413 PLEXUS_PAYLOAD_TOO_LARGE', async () => {
    const pkg = pluginPackageJson('too-large', '1.0.0');
    const big = randomBytes(80 * 1024).toString('base64');
    const body = publishBody(pkg, await packTarball(pkg, { 'dist/plugin.js': big }));
    assertRefused(await publish(fx.url, pkg, TOKEN, body), 413, 'PLEXUS_PAYLOAD_TOO_LARGE', /limit/);
  });

  it('a request body above the body limit is refused with 413 PLEXUS_PAYLOAD_TOO_LARGE before it is parsed', async () => {
    const pkg = pluginPackageJson('huge-body', '1.0.0');
    const body = { ...publishBody(pkg, await packTarball(pkg)), padding: 'x'.repeat(2 * 1024 * 1024) };
    assertRefused(await publish(fx.url, pkg, TOKEN, body), 413, 'PLEXUS_PAYLOAD_TOO_LARGE', /larger than this registry accepts/);
    await assertNotStored(pkg.name);
  });

  it('a body naming another package than the URL is refused with PLEXUS_INVALID_REQUEST', async () => {
    const pkg = pluginPackageJson('url-name', '1.0.0');
    const other = pluginPackageJson('body-name', '1.0.0');
    const body = publishBody(other, await packTarball(other));
    assertRefused(await publish(fx.url, pkg, TOKEN, body), 400, 'PLEXUS_INVALID_REQUEST', /names package "body-name" but the URL names "url-name"/);
  });

  it('a re-publish of an existing version is refused with 409 PLEXUS_CONFLICT and the first tarball stays', async () => {
    const pkg = pluginPackageJson('immutable', '1.0.0');
    assert.equal((await publish(fx.url, pkg, TOKEN)).status, 201);
    const before = (await request(`${fx.url}/immutable`)).body as { versions: Record<string, { dist: { integrity: string } }> };
    const changed = publishBody(pkg, await packTarball(pkg, { 'dist/plugin.js': 'export default {};\n' }));
    assertRefused(await publish(fx.url, pkg, TOKEN, changed), 409, 'PLEXUS_CONFLICT', /immutable@1\.0\.0 is already published and versions are immutable/);
    const after = (await request(`${fx.url}/immutable`)).body as typeof before;
    assert.equal(after.versions['1.0.0']!.dist.integrity, before.versions['1.0.0']!.dist.integrity);
  });

  it('a package that does not claim to be a plugin is published without a plexus manifest', async () => {
    const pkg = { name: 'plain-library', version: '1.0.0', description: 'not a plugin' };
    const result = await publish(fx.url, pkg, TOKEN, publishBody(pkg, await packTarball(pkg, { 'index.js': '' })));
    assert.equal(result.status, 201, JSON.stringify(result.body));
  });
});
