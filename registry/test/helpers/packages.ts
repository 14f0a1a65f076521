// Test packages: plugin package folders for the npm CLI, and hand-built
// tarballs and publish bodies (the shape libnpmpublish sends) for requests
// npm itself would never make, like a tarball that contradicts its metadata.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';

export type PackageJson = Record<string, unknown> & { name: string; version: string };

export const PLUGIN_JS = 'export default { async execute() {} };\n';

export function pluginPackageJson(name: string, version: string, extra: Record<string, unknown> = {}): PackageJson {
  return {
    name,
    version,
    description: `${name} test plugin`,
    keywords: ['plexus-plugin'],
    license: 'MIT',
    plexus: { apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: ['orders.*'] },
    ...extra,
  };
}

export async function writePackageDir(dir: string, pkg: PackageJson, files: Record<string, string> = { 'dist/plugin.js': PLUGIN_JS }): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** A gzipped tarball with everything under `package/`, as `npm pack` makes it. */
/** `beside`: files under other top folders than package/ (`other/package.json`), which npm never packs. */
export async function packTarball(pkg: PackageJson, files: Record<string, string> = { 'dist/plugin.js': PLUGIN_JS }, beside: Record<string, string> = {}): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'plexus-pack-'));
  try {
    await writePackageDir(join(work, 'package'), pkg, files);
    for (const [path, text] of Object.entries(beside)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), text);
    }
    const tops = new Set(Object.keys(beside).map((path) => path.split('/')[0] as string));
    const out = join(work, 'out.tgz');
    await create({ gzip: true, portable: true, cwd: work, file: out }, ['package', ...tops]);
    return await readFile(out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function sri(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

export interface PublishBodyOptions {
  /** The metadata manifest; defaults to the package.json inside the tarball. */
  manifest?: PackageJson;
  integrity?: string;
  length?: number;
  tag?: string;
}

export function publishBody(pkg: PackageJson, tarball: Buffer, options: PublishBodyOptions = {}): Record<string, unknown> {
  const manifest = options.manifest ?? pkg;
  const file = `${manifest.name}-${manifest.version}.tgz`;
  return {
    _id: manifest.name,
    name: manifest.name,
    description: manifest.description,
    'dist-tags': { [options.tag ?? 'latest']: manifest.version },
    versions: {
      [manifest.version]: {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        dist: {
          integrity: options.integrity ?? sri(tarball),
          shasum: createHash('sha1').update(tarball).digest('hex'),
          tarball: `http://ignored.example/${file}`,
        },
      },
    },
    access: 'public',
    _attachments: { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: options.length ?? tarball.length } },
  };
}

export interface HttpResult {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function request(url: string, init: { method?: string; token?: string; body?: unknown; accept?: string } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.accept !== undefined) headers.accept = init.accept;
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (a tarball): keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

export async function publish(registryUrl: string, pkg: PackageJson, token: string | undefined, body?: Record<string, unknown>): Promise<HttpResult> {
  const payload = body ?? publishBody(pkg, await packTarball(pkg));
  return request(`${registryUrl}/${pkg.name.replace('/', '%2f')}`, { method: 'PUT', body: payload, ...(token === undefined ? {} : { token }) });
}
