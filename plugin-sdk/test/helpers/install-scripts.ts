// Which installed packages of a dependency tree have install scripts, as npm
// counts them for its `allowScripts` policy (npm 11.16+ warns about each one
// not covered, npm 12 skips their scripts): preinstall, install, postinstall,
// and the `node-gyp rebuild` npm runs for a package with a binding.gyp and
// neither of the first two.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Where Node (and npm's layout) finds `name` from `dir`: its node_modules, then each parent's. Undefined: not installed (an optional dependency for another platform). */
function installedDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    // Its real folder: a workspace is a link, and its own node_modules are beside its real files.
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

function hasInstallScript(dir: string, manifest: Manifest): boolean {
  const scripts = manifest.scripts ?? {};
  if (scripts.preinstall || scripts.install || scripts.postinstall) return true;
  return existsSync(join(dir, 'binding.gyp'));
}

/**
 * The names of the packages with install scripts among what `root` depends on
 * (its dependencies and optional ones, with `dev` its devDependencies too),
 * followed through every installed package's dependencies. `manifest`: read
 * in place of root's package.json (a project not written to disk, its
 * dependencies found from root).
 */
export function packagesWithInstallScripts(root: string, options: { dev: boolean; manifest?: Manifest }): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (dir: string, manifest: Manifest, includeDev: boolean): void => {
    const names = { ...manifest.dependencies, ...manifest.optionalDependencies, ...(includeDev ? manifest.devDependencies : {}) };
    for (const name of Object.keys(names)) {
      const child = installedDir(name, dir);
      if (child === undefined || seen.has(child)) continue;
      seen.add(child);
      const childManifest = readManifest(child);
      if (hasInstallScript(child, childManifest)) found.add(childManifest.name);
      visit(child, childManifest, false);
    }
  };
  visit(root, options.manifest ?? readManifest(root), options.dev);
  return [...found].sort();
}
