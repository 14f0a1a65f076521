// A registry that publishes no integrity for a version is not trusted
// (PLEXUS_INTEGRITY_MISMATCH). One whose `dist.integrity` names no hash npm
// can check ("bogus", "sha512-", an unknown algorithm) published none either:
// pacote then checks nothing, so any tarball at `dist.tarball` (which may be
// on another host) was installed, and the string was recorded in
// plugins.json as the plugin's integrity. A usable `shasum` beside it is
// still checked, as npm checks it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fetchPackage } from '../../src/plugins/fetch-package.ts';
import { rawTarball, validEntries } from './plugin-packages.ts';

const name = 'integrity-probe';
const tarball = rawTarball(validEntries({ name, version: '1.0.0' }));
/** What the packument says of the tarball, set by each test. */
let dist: Record<string, string> = {};
let server: Server;
let registry: string;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/t.tgz') return void res.end(tarball);
    if (req.url !== `/${name}`) return void res.writeHead(404).end('{}');
    const version = { name, version: '1.0.0', plexus: { apiVersion: '^1.0.0' }, dist: { tarball: `${registry}t.tgz`, ...dist } };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ name, 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': version } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => server.close());

const fetchIt = () => fetchPackage({ kind: 'registry', name, selector: { range: '*' } }, { registry, hostApiVersion: '1.0.0' });

test('an integrity that names no usable hash is PLEXUS_INTEGRITY_MISMATCH, not an unchecked install', async () => {
  for (const integrity of ['bogus', 'sha512-', 'foo-AAAA', ' ']) {
    dist = { integrity };
    await assert.rejects(fetchIt(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PLEXUS_INTEGRITY_MISMATCH', `${JSON.stringify(integrity)}: ${err.message}`);
      assert.match(err.message, /no integrity/);
      return true;
    });
  }
});

test('beside an unusable integrity, a shasum is what the tarball is checked against', async () => {
  const shasum = createHash('sha1').update(tarball).digest('hex');
  dist = { integrity: 'bogus', shasum };
  assert.equal((await fetchIt()).integrity, `sha1-${Buffer.from(shasum, 'hex').toString('base64')}`);
  dist = { integrity: 'bogus', shasum: createHash('sha1').update('another tarball').digest('hex') };
  await assert.rejects(fetchIt(), { code: 'PLEXUS_INTEGRITY_MISMATCH' });
});

test('a usable integrity is checked and recorded as it is', async () => {
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  dist = { integrity };
  assert.equal((await fetchIt()).integrity, integrity);
  dist = { integrity: `sha512-${createHash('sha512').update('another tarball').digest('base64')}` };
  await assert.rejects(fetchIt(), { code: 'PLEXUS_INTEGRITY_MISMATCH' });
});
