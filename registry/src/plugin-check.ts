// Refuses packages that claim to be Plexus plugins but that a host could not
// load: the manifest is checked with the SDK's own validator (the same rules
// the host applies at install time), and the files it points at must be in the tarball.
import { PlexusError } from '@plexus/plugin-sdk';
import { compileConfigSchema, validatePackageJson } from '@plexus/plugin-sdk/runtime';
import { posix } from 'node:path';

export const PLUGIN_KEYWORD = 'plexus-plugin';

/**
 * The `plexus-plugin` keyword is the claim CONTRACT §2 defines; a `plexus`
 * object without it is treated as a claim too, since the host would refuse
 * such a package and publishing it can only be a mistake.
 */
export function claimsToBePlugin(pkg: Record<string, unknown>): boolean {
  const keywords = pkg.keywords;
  return (Array.isArray(keywords) && keywords.includes(PLUGIN_KEYWORD)) || Object.hasOwn(pkg, 'plexus');
}

/** Throws PLEXUS_INVALID_MANIFEST naming the field, as `validatePackageJson` does. */
export function checkPluginPackage(pkg: Record<string, unknown>, files: ReadonlySet<string>): void {
  const { name, plexus: manifest } = validatePackageJson(pkg);
  requireFile(files, manifest.main, 'plexus.main');
  if (typeof manifest.config === 'string') requireFile(files, manifest.config, 'plexus.config');
  // A schema that passes the meta-schema but does not compile ("$ref" to nowhere, a "pattern" that is not
  // a regular expression) is refused by every host: refused here too. One kept in a file is checked at install.
  else if (manifest.config !== undefined) compileConfigSchema(name, manifest.config);
}

function requireFile(files: ReadonlySet<string>, path: string, field: string): void {
  if (!files.has(posix.normalize(path))) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `Invalid plugin manifest: ${field}: "${path}" is not in the package tarball`, {
      details: { problems: [{ path: field, message: 'file not in the package tarball' }] },
    });
  }
}
