// Reads over HTTP: full and abbreviated packuments, both spellings of scoped
// names, single versions, tarball downloads and their hashes, publicUrl, and
// the npm error body of a 404.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildRegistry, startRegistry } from '../src/index.ts';
import { packTarball, pluginPackageJson, publish, publishBody, request, sri } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

const SCOPED = '@acme/plexus-order-enricher';

interface Version {
  name: string;
  version: string;
  plexus?: unknown;
  description?: string;
  dist: { tarball: string; integrity: string; shasum: string; fileCount: number; unpackedSize: number };
}

describe('packuments and tarballs over HTTP', () => {
  let fx: RegistryFixture;
  let tarball: Buffer;

  before(async () => {
    fx = await startFixture();
    const pkg = pluginPackageJson(SCOPED, '1.4.0');
    tarball = await packTarball(pkg);
    assert.equal((await publish(fx.url, pkg, TOKEN, publishBody(pkg, tarball))).status, 201);
  });
  after(() => fx.close());

  it('serves a scoped package at both /@scope%2fname and /@scope/name', async () => {
    const escaped = await request(`${fx.url}/@acme%2fplexus-order-enricher`);
    const plain = await request(`${fx.url}/@acme/plexus-order-enricher`);
    assert.equal(escaped.status, 200);
    assert.deepEqual(plain.body, escaped.body);
  });

  it('a full packument carries dist.tarball built from the request host, sha512 integrity and sha1 shasum', async () => {
    const doc = (await request(`${fx.url}/@acme%2fplexus-order-enricher`)).body as { 'dist-tags': Record<string, string>; versions: Record<string, Version>; time: Record<string, string> };
    const v = doc.versions['1.4.0']!;
    assert.equal(doc['dist-tags'].latest, '1.4.0');
    assert.equal(v.dist.tarball, `${fx.url}/@acme/plexus-order-enricher/-/plexus-order-enricher-1.4.0.tgz`);
    assert.equal(v.dist.integrity, sri(tarball));
    assert.equal(v.dist.shasum, createHash('sha1').update(tarball).digest('hex'));
    assert.equal(v.dist.fileCount, 2);
    assert.equal(v.description, `${SCOPED} test plugin`);
    assert.ok(doc.time['1.4.0']);
  });

  it('an abbreviated packument is served for Accept: application/vnd.npm.install-v1+json and keeps plexus', async () => {
    const res = await request(`${fx.url}/@acme%2fplexus-order-enricher`, { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' });
    assert.match(res.headers.get('content-type') ?? '', /^application\/vnd\.npm\.install-v1\+json/);
    const doc = res.body as { modified: string; versions: Record<string, Version>; time?: unknown };
    const v = doc.versions['1.4.0']!;
    assert.equal(v.description, undefined, 'abbreviated versions drop descriptive fields');
    assert.equal(doc.time, undefined);
    assert.ok(doc.modified);
    assert.deepEqual(v.plexus, pluginPackageJson(SCOPED, '1.4.0').plexus);
    assert.equal(v.dist.integrity, sri(tarball));
  });

  it('a tarball downloads byte for byte at its dist.tarball URL, also at the URL npm computes before rewriting', async () => {
    for (const url of [
      `${fx.url}/@acme/plexus-order-enricher/-/plexus-order-enricher-1.4.0.tgz`,
      `${fx.url}/@acme/plexus-order-enricher/-/@acme/plexus-order-enricher-1.4.0.tgz`,
    ]) {
      const res = await fetch(url);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(tarball), url);
    }
  });

  it('GET /:pkg/:version and /:pkg/:tag return one version', async () => {
    const byVersion = (await request(`${fx.url}/@acme/plexus-order-enricher/1.4.0`)).body as Version;
    const byTag = (await request(`${fx.url}/@acme/plexus-order-enricher/latest`)).body as Version;
    assert.equal(byVersion.version, '1.4.0');
    assert.deepEqual(byTag, byVersion);
  });

  it('unknown packages, versions and tarballs are 404 PLEXUS_NOT_FOUND in the npm error shape', async () => {
    for (const path of ['/no-such-package', '/@acme/plexus-order-enricher/9.9.9', '/@acme/plexus-order-enricher/-/plexus-order-enricher-9.9.9.tgz', '/-/nope']) {
      const res = await request(`${fx.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = res.body as { error: string; code: string };
      assert.equal(body.code, 'PLEXUS_NOT_FOUND');
      assert.match(body.error, /^PLEXUS_NOT_FOUND: /);
    }
  });

  it('with publicUrl, tarball URLs use it instead of the request host', async () => {
    const proxied = await startRegistry({ port: 0, storage: fx.storage, tokens: [], publicUrl: 'https://registry.example.com/npm/' });
    try {
      const doc = (await request(`http://127.0.0.1:${proxied.port}/@acme%2fplexus-order-enricher`)).body as { versions: Record<string, Version> };
      assert.equal(doc.versions['1.4.0']!.dist.tarball, 'https://registry.example.com/npm/@acme/plexus-order-enricher/-/plexus-order-enricher-1.4.0.tgz');
      assert.equal(proxied.url, 'https://registry.example.com/npm');
    } finally {
      await proxied.close();
    }
  });

  it('buildRegistry gives a fastify instance that serves the same storage without listening', async () => {
    const app = buildRegistry({ storage: fx.storage, publicUrl: 'http://plexus.test' });
    try {
      const res = await app.inject({ method: 'GET', url: '/@acme/plexus-order-enricher/latest' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json<Version>().dist.tarball, 'http://plexus.test/@acme/plexus-order-enricher/-/plexus-order-enricher-1.4.0.tgz');
    } finally {
      await app.close();
    }
  });
});
