// Child of gzip-bombs.ts's readInChild: reads one tarball file with
// readPackageFiles in a fresh process, so that its peak memory is this read's
// alone (freed memory a process keeps would hide a second bomb's peak), and
// prints what came out and how far its resident memory peaked above its start.
import { readFile } from 'node:fs/promises';
import { readPackageFiles, type ExtractLimits } from '../../src/plugins/safe-extract.ts';

const [file, limitsJson] = process.argv.slice(2) as [string, string | undefined];
const limits = limitsJson === undefined ? undefined : (JSON.parse(limitsJson) as ExtractLimits);
const tarball = await readFile(file);
const rss = async (field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile('/proc/self/status', 'utf8'))?.[1]) * 1024;
const start = await rss('VmRSS');
let out: { paths?: string[]; code?: string; message?: string };
try {
  out = { paths: (await readPackageFiles(tarball, limits)).map((f) => f.path).sort() };
} catch (err) {
  out = { code: (err as { code?: string }).code, message: (err as Error).message };
}
process.stdout.write(JSON.stringify({ ...out, growth: (await rss('VmHWM')) - start }));
