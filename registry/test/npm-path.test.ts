// parseNpmPath: which package, version or tarball a decoded npm URL path names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNpmPath, versionFromTarballFile } from '../src/npm-path.ts';

describe('parseNpmPath', () => {
  it('reads packuments, versions and tarballs of unscoped and scoped packages', () => {
    assert.deepEqual(parseNpmPath('left-pad'), { kind: 'packument', name: 'left-pad' });
    assert.deepEqual(parseNpmPath('@acme/plugin'), { kind: 'packument', name: '@acme/plugin' });
    assert.deepEqual(parseNpmPath('@acme/plugin/1.2.3'), { kind: 'version', name: '@acme/plugin', spec: '1.2.3' });
    assert.deepEqual(parseNpmPath('left-pad/-/left-pad-1.0.0.tgz'), { kind: 'tarball', name: 'left-pad', file: 'left-pad-1.0.0.tgz' });
    assert.deepEqual(parseNpmPath('@acme/plugin/-/plugin-1.0.0.tgz'), { kind: 'tarball', name: '@acme/plugin', file: 'plugin-1.0.0.tgz' });
    assert.deepEqual(parseNpmPath('@acme/plugin/-/@acme/plugin-1.0.0.tgz'), { kind: 'tarball', name: '@acme/plugin', file: 'plugin-1.0.0.tgz' });
  });

  it('refuses invalid names and unknown shapes, so nothing odd reaches storage', () => {
    for (const path of ['', '..', '.hidden', '@acme', '@acme/', 'UPPER', 'a/b/c', 'a/-', 'a/-/x/y.tgz', '@acme/p/-/@other/p-1.0.0.tgz', 'a%2fb']) {
      assert.deepEqual(parseNpmPath(path), { kind: 'unknown' }, path);
    }
  });

  it('versionFromTarballFile keeps prerelease dashes and refuses other packages\' files', () => {
    assert.equal(versionFromTarballFile('plugin', 'plugin-1.0.0-beta.1.tgz'), '1.0.0-beta.1');
    assert.equal(versionFromTarballFile('plugin', 'other-1.0.0.tgz'), undefined);
    assert.equal(versionFromTarballFile('plugin', 'plugin-.tgz'), undefined);
  });
});
