// `plexus install <name>` (or a range) takes what `npm install` takes: the
// version the latest tag names when the range allows it, not the highest
// one. An author who publishes 1.2.0 and 2.0.0 with `--tag next` offers them
// to those who ask for them; a host that took the highest installed a
// version its author had not released to everyone. When the latest tag's
// version does not fit (outside the range, or written for another host
// API), the highest version that does is taken, as npm does with `engines`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Packument } from 'pacote';
import { candidateVersions, pickCompatible } from '../../src/plugins/pick-version.ts';

const manifest = (version: string, apiVersion = '^1.0.0') => ({ name: 'p', version, plexus: { apiVersion }, dist: { tarball: `http://r/p-${version}.tgz`, integrity: 'sha512-x' } });
const packument = (tags: Record<string, string>, versions: ReturnType<typeof manifest>[]) =>
  ({ name: 'p', 'dist-tags': tags, versions: Object.fromEntries(versions.map((v) => [v.version, v])) }) as unknown as Packument;
const pick = (p: Packument, range: string, host = '1.0.0') => pickCompatible('p', candidateVersions(p, { range }), host).version;

test('a version published under another tag is not taken over the latest tag when the range allows both', () => {
  const p = packument({ latest: '1.1.0', next: '2.0.0' }, [manifest('1.0.0'), manifest('1.1.0'), manifest('1.2.0'), manifest('2.0.0')]);
  assert.equal(pick(p, '*'), '1.1.0');
  assert.equal(pick(p, '^1.0.0'), '1.1.0');
  assert.equal(pick(p, '1.0.0'), '1.0.0', 'an exact version is that version');
  assert.equal(pick(p, '>=1.2.0'), '2.0.0', 'the latest tag outside the range: the highest in it');
  assert.equal(pickCompatible('p', candidateVersions(p, { tag: 'next' }), '1.0.0').version, '2.0.0');
});

test('when the latest tag names a version for another host API, the highest that fits is taken', () => {
  const p = packument({ latest: '1.1.0' }, [manifest('1.0.0'), manifest('1.1.0', '^2.0.0'), manifest('1.2.0')]);
  assert.equal(pick(p, '*'), '1.2.0');
  assert.equal(pick(p, '<1.2.0'), '1.0.0');
});
