// From an install spec to a checked package in its version folder: fetch
// (pacote), read every tarball entry safely, validate package.json and the
// `plexus` manifest (PLEXUS_INVALID_MANIFEST: unknown capability, bad field)
// and the API range BEFORE anything is written, then unpack into a staging
// folder and move it into place. Config and grants are checked by the caller,
// which knows the plugin's previous settings.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { PlexusError, type PluginPackageJson } from '@plexus/plugin-sdk';
import { assertApiCompatible, validatePackageJson, writeFileSynced } from '@plexus/plugin-sdk/runtime';
import { fetchPackage } from './fetch-package.ts';
import { parsePackageSpec } from './package-spec.ts';
import { readPackageFiles, writePackageFiles, type PackageFile } from './safe-extract.ts';
import { commitFolder, stagingFolder, versionRoot } from './version-folders.ts';

/** Written into each version folder: the integrity of the package it holds. */
const CONTENT_FILE = '.plexus-integrity';

export interface UnpackOptions {
  stateDir: string;
  registry: string;
  hostApiVersion: string;
  /** Root → the integrity the state file records for it (active or pending): data, so the options can cross to the unpack thread. */
  recorded: ReadonlyMap<string, string>;
}

export interface UnpackedPlugin {
  pkg: PluginPackageJson;
  /** Relative to the state dir. */
  root: string;
  integrity: string;
  source: string;
}

export async function unpackPlugin(spec: string, options: UnpackOptions): Promise<UnpackedPlugin> {
  const fetched = await fetchPackage(await parsePackageSpec(spec), options);
  const files = await readPackageFiles(fetched.tarball);
  const pkg = validatePackageJson(parsePackageJson(files));
  // A registry serves a packument per name: a tarball whose package.json names another package (or version) would install or replace that one.
  const { expected } = fetched;
  if (expected && (pkg.name !== expected.name || pkg.version !== expected.version)) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `the tarball of ${expected.name}@${expected.version} holds the package.json of ${pkg.name}@${pkg.version}`);
  }
  // semver accepts " 1.0.0" and "v1.0.0"; the version names a folder and an instance key, so only its canonical form.
  if (semver.valid(pkg.version) !== pkg.version) throw new PlexusError('PLEXUS_INVALID_MANIFEST', `version "${pkg.version}" is not a canonical semver version (e.g. 1.2.3)`);
  assertApiCompatible(pkg.name, pkg.plexus.apiVersion, options.hostApiVersion);
  const { root, inPlace } = await chooseRoot(pkg, fetched.integrity, options);
  // The same content is already in place (and maybe running): leave it untouched.
  if (!inPlace) {
    const staging = stagingFolder(options.stateDir);
    try {
      await writePackageFiles(files, staging);
      await writeFileSynced(join(staging, CONTENT_FILE), `${fetched.integrity}\n`);
      await commitFolder(options.stateDir, staging, root);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return { pkg, root, integrity: fetched.integrity, source: fetched.source };
}

/**
 * `<name>/<version>` unless that folder exists with other content, or with
 * content it cannot vouch for (a rebuilt local package with an unchanged
 * version): then a folder named after the content. A folder the state file
 * no longer references may still serve batches of a version just replaced,
 * and an instance's key derives from its root: rewriting it in place would
 * let the new content go live on the old instances without its init ever
 * running. `inPlace`: the root already holds exactly this content.
 */
async function chooseRoot(pkg: PluginPackageJson, integrity: string, options: UnpackOptions): Promise<{ root: string; inPlace: boolean }> {
  const plain = versionRoot(pkg.name, pkg.version);
  const held = await contentAt(plain, options);
  if (held === integrity) return { root: plain, inPlace: true };
  if (held === undefined && !existsSync(resolve(options.stateDir, plain))) return { root: plain, inPlace: false };
  const named = versionRoot(pkg.name, pkg.version, integrity);
  return { root: named, inPlace: (await contentAt(named, options)) === integrity };
}

/** The integrity of what `root` holds: as the state file records it, else as the folder's own record says; undefined if unknown. */
async function contentAt(root: string, options: UnpackOptions): Promise<string | undefined> {
  const recorded = options.recorded.get(root);
  if (recorded !== undefined) return recorded;
  try {
    return (await readFile(join(resolve(options.stateDir, root), CONTENT_FILE), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

function parsePackageJson(files: readonly PackageFile[]): unknown {
  const file = files.findLast((f) => f.path === 'package.json') as PackageFile;
  try {
    return JSON.parse(file.bytes.toString('utf8'));
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `package.json is not valid JSON: ${(err as Error).message}`);
  }
}
