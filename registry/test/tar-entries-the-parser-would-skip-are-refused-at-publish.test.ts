// tar's parser never hands some entries to onReadEntry: a type it does not
// know (gnutar and bsdtar extract those as files) and a pax or GNU long-name
// header over 1 MB. It skips their bodies, inflating them whole, so the
// registry's checks of a published tarball (only files and folders, the
// unpacked size from each header before its body) never saw them: a valid
// package followed by such an entry of a gigabyte of zeros was inflated to
// the end and stored.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { Header } from 'tar';
import { readTarball } from '../src/tarball.ts';
import { pluginPackageJson } from './helpers/packages.ts';

const MB = 1024 * 1024;
/** Gzip of 16 MB of zeros at level 1 (ratio ~230, under tar's own 1000x guard); gzip members may be concatenated. */
const ZEROS_MEMBER = gzipSync(Buffer.alloc(16 * MB), { level: 1 });
const GIGABYTE_OF_ZEROS = Buffer.concat(Array.from({ length: 64 }, () => ZEROS_MEMBER));

/** A ustar header of `size` bytes whose type flag is `flag`, which tar's Header would not write. */
function header(path: string, size: number, flag: string): Buffer {
  const block = Buffer.alloc(512);
  new Header({ path, size, type: 'File', mode: 0o644, mtime: new Date(0) }).encode(block, 0);
  block.write(flag, 156);
  block.write('        ', 148);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** package/package.json, then an entry of type `flag` declaring (and holding) a gigabyte of zeros. */
function packageWithSkippedGigabyte(flag: string, path: string): Buffer {
  const json = Buffer.from(JSON.stringify(pluginPackageJson('@acme/skipped', '1.0.0')));
  const head = Buffer.concat([header('package/package.json', json.length, '0'), json, Buffer.alloc((512 - (json.length % 512)) % 512), header(path, 1024 * MB, flag)]);
  return Buffer.concat([gzipSync(head), GIGABYTE_OF_ZEROS, gzipSync(Buffer.alloc(1024))]);
}

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
