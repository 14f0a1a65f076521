// What `plexus install` was asked for (CONTRACT §8): `<name>[@range|@tag]`
// from a registry, a local package folder, or a local .tgz. Git URLs, remote
// tarball URLs and npm aliases are refused: a plugin comes from a registry
// (where integrity is known) or from the operator's own disk.
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import semver from 'semver';
import { PlexusError } from '@plexus/plugin-sdk';

export type PackageSpec =
  | { kind: 'registry'; name: string; selector: { range: string } | { tag: string } }
  | { kind: 'folder'; path: string }
  | { kind: 'tarball'; path: string };

/** npm's package name rule (lower case, optional scope), as the manifest schema checks it. */
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const DIST_TAG = /^[A-Za-z][A-Za-z0-9._-]*$/;

export function isPackageName(name: string): boolean {
  return name.length <= 214 && PACKAGE_NAME.test(name);
}

/** True when a CLI argument names a file or folder rather than a registry package. */
export function looksLikePath(spec: string): boolean {
  return /^(?:\.{1,2}(?:\/|$)|\/|~\/|file:)/.test(spec) || /\.(?:tgz|tar\.gz|tar)$/.test(spec);
}

/** Parses a spec sent to the admin API; local paths must be absolute (the host's cwd is not the operator's). */
export async function parsePackageSpec(spec: string): Promise<PackageSpec> {
  const text = spec.trim();
  if (text === '') throw new PlexusError('PLEXUS_INVALID_REQUEST', 'spec is empty: give <name>[@range], a package folder or a .tgz file');
  const path = text.startsWith('file:') ? text.slice('file:'.length) : text;
  if (text.startsWith('file:') || isAbsolute(path)) return localSpec(path);
  if (looksLikePath(text)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `"${text}" looks like a relative path; the admin API needs an absolute one (the plexus CLI resolves it for you)`);
  return registrySpec(text);
}

function registrySpec(text: string): PackageSpec {
  // The version part starts at the first "@" after a scope's own leading "@".
  const at = text.indexOf('@', text.startsWith('@') ? 1 : 0);
  const name = at === -1 ? text : text.slice(0, at);
  const selector = at === -1 ? '' : text.slice(at + 1).trim();
  if (!isPackageName(name)) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `"${name}" is not a package name (git URLs, tarball URLs and aliases cannot be installed; use a registry name, a folder or a .tgz)`);
  }
  if (selector === '') return { kind: 'registry', name, selector: { range: '*' } };
  if (semver.validRange(selector) !== null) return { kind: 'registry', name, selector: { range: selector } };
  if (DIST_TAG.test(selector)) return { kind: 'registry', name, selector: { tag: selector } };
  throw new PlexusError('PLEXUS_INVALID_REQUEST', `"${selector}" in "${text}" is neither a semver range nor a dist-tag`);
}

async function localSpec(path: string): Promise<PackageSpec> {
  if (!isAbsolute(path)) throw new PlexusError('PLEXUS_INVALID_REQUEST', `"${path}" must be an absolute path`);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new PlexusError('PLEXUS_NOT_FOUND', `${path} does not exist on the host`);
  }
  if (info.isDirectory()) return { kind: 'folder', path };
  if (info.isFile()) return { kind: 'tarball', path };
  throw new PlexusError('PLEXUS_INVALID_REQUEST', `${path} is neither a package folder nor a .tgz file`);
}
