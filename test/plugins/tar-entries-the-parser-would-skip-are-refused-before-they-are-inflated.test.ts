// tar's parser never hands some entries to the reader: a type it does not
// know (gnutar and bsdtar extract those as files) and a pax or GNU long-name
// header over 1 MB. It skips their bodies, inflating them whole. The
// installer's checks (only files and folders, declared sizes before a body
// is inflated) ran only on the entries it was handed, so such an entry
// declaring a gigabyte of zeros (4.5 MB of gzip) was inflated to the end and
// the package installed as if the entry were not there.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { Header } from 'tar';
import { readPackageFiles } from '../../src/plugins/safe-extract.ts';
import { GIGABYTE_OF_ZEROS, MB } from './gzip-bombs.ts';
import { validEntries } from './plugin-packages.ts';

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

/** A valid package, then an entry of type `flag` declaring (and holding) a gigabyte of zeros. */
function packageWithSkippedGigabyte(flag: string, path: string): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of validEntries({ name: '@acme/skipped', version: '1.0.0' })) {
    const body = Buffer.from(entry.body ?? '');
    blocks.push(header(entry.path, body.length, '0'), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(header(path, 1024 * MB, flag));
  return Buffer.concat([gzipSync(Buffer.concat(blocks)), GIGABYTE_OF_ZEROS, gzipSync(Buffer.alloc(1024))]);
}

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
