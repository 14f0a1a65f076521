// tar's parser never hands some entries to the reader: a type it does not
// know (gnutar and bsdtar extract those as files) and a pax or GNU long-name
// header over 1 MB. It skips their bodies, inflating them whole. The
// installer's checks (only files and folders, declared sizes before a body
// is inflated) ran only on the entries it was handed, so such an entry
// declaring a gigabyte of zeros (4.5 MB of gzip) was inflated to the end and
// the package installed as if the entry were not there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPackageFiles } from '../../src/plugins/safe-extract.ts';
import { declaredGigabyteTarball } from './gzip-bombs.ts';
import { validEntries } from './plugin-packages.ts';

/** A valid package, then an entry of type `flag` declaring (and holding) a gigabyte of zeros. */
const packageWithSkippedGigabyte = (flag: string, path: string): Buffer =>
  declaredGigabyteTarball(validEntries({ name: '@acme/skipped', version: '1.0.0' }).map(({ path, body }) => ({ path, body })), { path, flag });

for (const [label, flag, path] of [
  ['a type tar does not know', 'Z', 'package/dist/zeros.bin'],
  ['a pax header over 1 MB', 'x', 'package/PaxHeader/zeros.bin'],
  ['a GNU long-name header over 1 MB', 'L', '././@LongLink'],
] as const) {
  test(`${label} is refused as PLEXUS_INVALID_MANIFEST, not skipped`, async () => {
    await assert.rejects(readPackageFiles(packageWithSkippedGigabyte(flag, path)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PLEXUS_INVALID_MANIFEST', err.message);
      assert.match(err.message, new RegExp(`entry ${JSON.stringify(path).replace(/[.@]/g, '\\$&')} .*only files and folders`));
      return true;
    });
  });
}
