// A packument lists each version under its own number. The range was matched
// against that key, but the version fetched (and checked against the
// tarball's package.json) was the one the entry names: a registry whose
// entry "1.1.0" says "version": "2.0.0" got 2.0.0 installed for `^1.0.0`,
// a version the operator did not ask for (and pacote fetches whatever the
// registry lists as 2.0.0). Such an entry is skipped, as if not published.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Packument } from 'pacote';
import { candidateVersions, pickCompatible } from '../../src/plugins/pick-version.ts';

const manifest = (version: string) => ({ name: 'p', version, plexus: { apiVersion: '^1.0.0' }, dist: { tarball: `http://r/p-${version}.tgz`, integrity: 'sha512-x' } });
const packument = (tags: Record<string, string>, versions: Record<string, ReturnType<typeof manifest>>) =>
  ({ name: 'p', 'dist-tags': tags, versions }) as unknown as Packument;

test('a range never yields a version outside it through an entry that names another version', () => {
  const p = packument({ latest: '1.1.0' }, { '1.0.0': manifest('1.0.0'), '1.1.0': manifest('2.0.0'), '2.0.0': manifest('2.0.0') });
  assert.equal(pickCompatible('p', candidateVersions(p, { range: '^1.0.0' }), '1.0.0').version, '1.0.0');
  const onlyLying = packument({ latest: '1.1.0' }, { '1.1.0': manifest('2.0.0'), '2.0.0': manifest('2.0.0') });
  assert.throws(() => candidateVersions(onlyLying, { range: '^1.0.0' }), { code: 'PLEXUS_NOT_FOUND' });
});

test('a dist-tag pointing at an entry that names another version is not followed', () => {
  const p = packument({ latest: '1.1.0' }, { '1.1.0': manifest('2.0.0'), '2.0.0': manifest('2.0.0') });
  assert.throws(() => candidateVersions(p, { tag: 'latest' }), { code: 'PLEXUS_NOT_FOUND' });
});
