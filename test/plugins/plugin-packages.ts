// Plugin packages for the installer and hot-reload tests: a folder with a
// package.json and one module, packed into a .tgz the way `npm pack` does
// (everything under package/), and raw tarballs with entries npm would never
// write (../ paths, links, devices) to prove the installer refuses them.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';

export interface TestPlugin {
  name: string;
  version: string;
  /** Body of `execute(event, ctx)`. Default: log "served" with the event id and version. */
  execute?: string;
  /** Body of `init(ctx)`, if any. */
  init?: string;
  apiVersion?: string;
  subscribe?: string[];
  capabilities?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** Merged into the plexus object last (to break it on purpose). */
  plexus?: Record<string, unknown>;
  files?: Record<string, string>;
}

export const SERVED = `ctx.log.info('served', { id: event.id, served: ctx.plugin.version });`;

export function packageJson(p: TestPlugin): Record<string, unknown> {
  const plexus: Record<string, unknown> = { apiVersion: p.apiVersion ?? '^1.0.0', main: 'dist/plugin.js', subscribe: p.subscribe ?? ['orders.#'] };
  if (p.capabilities) plexus.capabilities = p.capabilities;
  if (p.config) plexus.config = p.config;
  return { name: p.name, version: p.version, type: 'module', license: 'MIT', keywords: ['plexus-plugin'], plexus: { ...plexus, ...p.plexus } };
}

export function pluginSource(p: TestPlugin): string {
  const init = p.init === undefined ? '' : `async init(ctx) {\n${p.init}\n},\n`;
  return `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({\n${init}async execute(event, ctx) {\n${p.execute ?? SERVED}\n},\n});\n`;
}

/** Writes the package folder under `parent` and answers its path. */
export async function writePluginFolder(parent: string, p: TestPlugin): Promise<string> {
  const dir = join(parent, `${p.name.replace('/', '__')}-${p.version}`);
  const files: Record<string, string> = { 'package.json': `${JSON.stringify(packageJson(p), null, 2)}\n`, 'dist/plugin.js': pluginSource(p), ...p.files };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** A .tgz of the plugin, everything under package/, next to its folder. */
export async function packPlugin(parent: string, p: TestPlugin): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'plexus-pack-'));
  try {
    const folder = await writePluginFolder(work, p);
    const file = join(parent, `${p.name.replace('/', '__')}-${p.version}.tgz`);
    await create({ gzip: true, portable: true, cwd: folder, file, prefix: 'package' }, ['.']);
    return file;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface RawEntry {
  path: string;
  /** ustar type flag: '0' file, '1' hard link, '2' symlink, '3' char device, '5' directory, '6' FIFO, '7' contiguous file. */
  type?: '0' | '1' | '2' | '3' | '5' | '6' | '7';
  body?: string;
  linkname?: string;
}

/** A gzipped ustar archive written byte by byte, so nothing sanitises the entries on the way. */
export function rawTarball(entries: readonly RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.path, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write(entry.type ?? '0', 156);
    header.write(entry.linkname ?? '', 157, 100, 'utf8');
    header.write('ustar\u000000', 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** The entries of a valid plugin package, to surround a bad one with. */
export function validEntries(p: TestPlugin): RawEntry[] {
  return [
    { path: 'package/package.json', body: JSON.stringify(packageJson(p)) },
    { path: 'package/dist/plugin.js', body: pluginSource(p) },
  ];
}

export async function writeRawTarball(parent: string, name: string, entries: readonly RawEntry[]): Promise<string> {
  const file = join(parent, name);
  await writeFile(file, rawTarball(entries));
  return file;
}

export const readBytes = (path: string) => readFile(path);
