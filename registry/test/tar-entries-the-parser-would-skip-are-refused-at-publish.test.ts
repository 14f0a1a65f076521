// tar's parser never hands some entries to onReadEntry: a type it does not
// know (gnutar and bsdtar extract those as files) and a pax or GNU long-name
// header over 1 MB. It skips their bodies, inflating them whole, so the
// registry's checks of a published tarball (only files and folders, the
// unpacked size from each header before its body) never saw them: a valid
// package followed by such an entry of a gigabyte of zeros was inflated to
// the end and stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTarball } from '../src/tarball.ts';
import { declaredGigabyteTarball } from '../../test/plugins/gzip-bombs.ts';
import { pluginPackageJson } from './helpers/packages.ts';

/** package/package.json, then an entry of type `flag` declaring (and holding) a gigabyte of zeros. */
const packageWithSkippedGigabyte = (flag: string, path: string): Buffer =>
  declaredGigabyteTarball([{ path: 'package/package.json', body: JSON.stringify(pluginPackageJson('@acme/skipped', '1.0.0')) }], { path, flag });

for (const [label, flag, path] of [
  ['a type tar does not know', 'Z', 'package/zeros.bin'],
  ['a pax header over 1 MB', 'x', 'package/PaxHeader/zeros.bin'],
  ['a GNU long-name header over 1 MB', 'L', '././@LongLink'],
] as const) {
  test(`${label} is refused at publish, not skipped`, async () => {
    await assert.rejects(readTarball(packageWithSkippedGigabyte(flag, path)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PLEXUS_INVALID_REQUEST', err.message);
      assert.match(err.message, /only files and folders/);
      return true;
    });
  });
}
