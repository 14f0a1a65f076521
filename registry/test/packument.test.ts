// Packument changes: immutable versions, latest maintenance, tag rules, who may publish.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyPackument, resolveSpec, withDistTag, withMaintainers, withVersion, withoutDistTag, type VersionManifest } from '../src/packument.ts';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const T1 = new Date('2026-01-02T00:00:00.000Z');

function manifest(version: string, description = `v${version}`): VersionManifest {
  return { name: 'pkg', version, description, dist: { integrity: 'sha512-x', shasum: 'x' } };
}

describe('packument', () => {
  it('the first version becomes latest even when published under another tag', () => {
    const doc = withVersion(emptyPackument('pkg', T0), manifest('1.0.0-beta.1'), ['beta'], 'p', T1);
    assert.deepEqual(doc['dist-tags'], { beta: '1.0.0-beta.1', latest: '1.0.0-beta.1' });
    assert.equal(doc.time['1.0.0-beta.1'], T1.toISOString());
    assert.equal(doc.time.created, T0.toISOString());
  });

  it('mirrors the latest version\'s description to the top', () => {
    let doc = withVersion(emptyPackument('pkg', T0), manifest('1.0.0'), ['latest'], 'p', T0);
    doc = withVersion(doc, manifest('2.0.0'), ['latest'], 'p', T1);
    doc = withVersion(doc, manifest('3.0.0-rc.1'), ['next'], 'p', T1);
    assert.equal(doc.description, 'v2.0.0');
  });

  it('the first publisher is the sole maintainer; anyone else is refused with PLEXUS_FORBIDDEN', () => {
    let doc = withVersion(emptyPackument('pkg', T0), manifest('1.0.0'), ['latest'], 'p', T0);
    doc = withVersion(doc, manifest('2.0.0'), ['latest'], 'p', T1);
    assert.deepEqual(doc.maintainers, [{ name: 'p', email: '' }]);
    assert.throws(() => withVersion(doc, manifest('3.0.0'), ['latest'], 'q', T1), {
      code: 'PLEXUS_FORBIDDEN',
      message: /^q is not a maintainer of pkg \(maintainers: p\)/,
    });
    doc = withMaintainers(doc, [{ name: 'p', email: '' }, { name: 'q', email: '' }], T1);
    assert.deepEqual(Object.keys(withVersion(doc, manifest('3.0.0'), ['latest'], 'q', T1).versions), ['1.0.0', '2.0.0', '3.0.0']);
  });

  it('refuses an existing version with PLEXUS_CONFLICT', () => {
    const doc = withVersion(emptyPackument('pkg', T0), manifest('1.0.0'), ['latest'], 'p', T0);
    assert.throws(() => withVersion(doc, manifest('1.0.0', 'other'), ['latest'], 'p', T1), { code: 'PLEXUS_CONFLICT' });
  });

  it('tags point only at published versions; latest cannot be removed; specs resolve tags and versions', () => {
    let doc = withVersion(emptyPackument('pkg', T0), manifest('1.0.0'), ['latest'], 'p', T0);
    assert.throws(() => withDistTag(doc, 'stable', '2.0.0', T1), { code: 'PLEXUS_NOT_FOUND' });
    assert.throws(() => withDistTag(doc, '^1.0.0', '1.0.0', T1), { code: 'PLEXUS_INVALID_REQUEST' });
    doc = withDistTag(doc, 'stable', '1.0.0', T1);
    assert.equal(resolveSpec(doc, 'stable')?.version, '1.0.0');
    assert.equal(resolveSpec(doc, '1.0.0')?.version, '1.0.0');
    assert.equal(resolveSpec(doc, 'nope'), undefined);
    assert.throws(() => withoutDistTag(doc, 'latest', T1), { code: 'PLEXUS_INVALID_REQUEST' });
    assert.deepEqual(withoutDistTag(doc, 'stable', T1)['dist-tags'], { latest: '1.0.0' });
  });
});
