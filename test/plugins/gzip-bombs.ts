// Gzip bombs for the installer's tests: a few MB of gzip that inflate to a
// gigabyte, and a way to see how far this process's memory peaked while one
// was read (an inflate runs synchronously, so sampling RSS would miss it).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export const MB = 1024 * 1024;
/**
 * Gzip of 16 MB of zeros at level 1 (ratio ~230, under tar's own 1000x
 * guard), about 70 KB; gzip members may be concatenated, so 64 of them are a
 * gigabyte of zeros in ~4.5 MB, and the 16 MB is the most this file holds.
 */
const ZEROS_MEMBER = gzipSync(Buffer.alloc(16 * MB), { level: 1 });
export const GIGABYTE_OF_ZEROS = Buffer.concat(Array.from({ length: 64 }, () => ZEROS_MEMBER));

export interface BombEntry {
  path: string;
  /** ustar type: File unless said. */
  type?: 'File' | 'SymbolicLink';
  body?: string;
  linkpath?: string;
}

function tarHeader(path: string, size: number, type: BombEntry['type'] = 'File', linkpath?: string): Buffer {
  const block = Buffer.alloc(512);
  new Header({ path, size, type, linkpath, mode: 0o644, mtime: new Date(0) }).encode(block, 0);
  return block;
}

/** `header` with its type flag set to `flag`, which tar's Header would not write (one tar does not know, a pax or long-name header), its checksum made again. */
function withTypeFlag(header: Buffer, flag: string): Buffer {
  header.write(flag, 156);
  header.write('        ', 148);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/**
 * `entries` (small, whole), then an entry declared (and sent) as 1 GB of zeros, then the
 * end-of-archive blocks. The gigabyte is `package/zeros.bin`, a file, unless `last` says otherwise
 * (`flag`: a raw ustar type flag for it).
 */
export function declaredGigabyteTarball(entries: readonly BombEntry[], last: { path: string; flag?: string } = { path: 'package/zeros.bin' }): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    blocks.push(tarHeader(entry.path, body.length, entry.type, entry.linkpath), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  const header = tarHeader(last.path, 1024 * MB);
  blocks.push(last.flag === undefined ? header : withTypeFlag(header, last.flag));
  return Buffer.concat([gzipSync(Buffer.concat(blocks)), GIGABYTE_OF_ZEROS, gzipSync(Buffer.alloc(1024))]);
}

/** Peak resident memory of this process (VmHWM), in bytes. */
async function peakMemory(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

/** How far this process's resident memory peaked above where it was while `run` ran (all threads count). */
export async function peakGrowthDuring(run: () => Promise<unknown>): Promise<number> {
  // "5" resets VmHWM to the current RSS (Linux), so an earlier peak does not hide this one.
  await writeFile('/proc/self/clear_refs', '5');
  const before = await peakMemory();
  await run();
  return (await peakMemory()) - before;
}

export interface ChildRead {
  /** The files read, sorted, or the error's code and message. */
  paths?: string[];
  code?: string;
  message?: string;
  /** How far the child's resident memory peaked above its start, in bytes. */
  growth: number;
}

/** readPackageFiles of `tarball` (written to `file` first) in a process of its own: see read-package-files-child.ts. */
export async function readInChild(file: string, tarball: Buffer, limits?: { maxBytes: number; maxEntries: number }): Promise<ChildRead> {
  await writeFile(file, tarball);
  const args = [join(import.meta.dirname, 'read-package-files-child.ts'), file, ...(limits ? [JSON.stringify(limits)] : [])];
  // A read that never ends (the unfixed parser could wait for ever after the end of an archive) is killed, and fails the test below.
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the read did not finish: ${err.message} ${stderr}`));
      else resolve(JSON.parse(stdout) as ChildRead);
    });
  });
}
