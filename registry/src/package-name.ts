// npm package names as this registry accepts them. The rules are the ones the
// SDK's PACKAGE_SCHEMA uses, so anything the host can install can be published,
// and a valid name is always a safe single path segment once its scope slash is
// escaped (no "..", no leading dot or dash, no "%").
import { PlexusError } from '@plexus/plugin-sdk';

const NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const MAX_NAME_LENGTH = 214;

export function isValidPackageName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

export function assertPackageName(name: string): string {
  if (!isValidPackageName(name)) {
    throw new PlexusError(
      'PLEXUS_INVALID_REQUEST',
      `"${name}" is not a valid package name (lowercase letters, digits, ".", "_", "~", "-", optionally "@scope/")`,
    );
  }
  return name;
}

/** `@scope/name` → `name`; `name` → `name`. */
export function unscopedName(name: string): string {
  return name.slice(name.indexOf('/') + 1);
}

/** The tarball file name npm and the public registry use: `name-1.2.3.tgz`, without the scope. */
export function tarballFileName(name: string, version: string): string {
  return `${unscopedName(name)}-${version}.tgz`;
}

/** The `scope` field of npm search results: the scope without "@", or "unscoped". */
export function searchScopeOf(name: string): string {
  return name.startsWith('@') ? name.slice(1, name.indexOf('/')) : 'unscoped';
}
