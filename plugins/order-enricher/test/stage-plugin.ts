// The manifest asks for the production rate host, and a host grants only what
// the manifest asks for (requested AND granted, CONTRACT §4). To test against
// a local server on an ephemeral port, the tests run the same built bundle
// from a copy of the package whose manifest asks for that server instead.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginPackageJson } from '@plexus/plugin-sdk';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

export async function stagePluginFor(httpHost: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-order-enricher-'));
  const pkg = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as PluginPackageJson;
  pkg.plexus.capabilities = { ...pkg.plexus.capabilities, http: { hosts: [httpHost] } };
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const main = join(dir, pkg.plexus.main);
  await mkdir(dirname(main), { recursive: true });
  await copyFile(join(packageDir, pkg.plexus.main), main);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
