// `plexus-plugin build [dir]`: checks the manifest, then bundles the entry
// into `plexus.main`. The entry is a CLI flag, not a manifest field, because
// the `plexus` object is closed (unknown fields are refused, CONTRACT §2).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileConfigSchema } from '../manifest/config.ts';
import { readConfigSchema, readPackageJson } from '../manifest/load-plugin.ts';
import { validatePackageJson } from '../runtime.ts';
import { bundle, displayPath, formatBytes } from './bundle.ts';
import { CliError, parseCommandArgs, type Command } from './command.ts';
import { assertManifestFilesPacked } from './packed-files.ts';

export const DEFAULT_ENTRIES = ['src/plugin.ts', 'src/plugin.js', 'src/plugin.mjs'] as const;

export interface BuildOptions {
  entry?: string | undefined;
  minify?: boolean | undefined;
  sourcemap?: boolean | undefined;
}

export interface BuildResult {
  entry: string;
  outfile: string;
  bytes: number;
}

/** Builds the plugin package in `root`; throws a PlexusError or CliError the user can act on. */
export async function buildPlugin(root: string, options: BuildOptions = {}): Promise<BuildResult> {
  const pkg = validatePackageJson(await readPackageJson(root));
  // A config schema (inline or in a file) must be readable and compile, or the host would refuse the package later.
  compileConfigSchema(pkg.name, await readConfigSchema(root, pkg));
  // Hosts read main and the config file from the published tarball, not from this folder.
  assertManifestFilesPacked(pkg);
  const entry = findEntry(root, options.entry);
  const outfile = resolve(root, pkg.plexus.main);
  const { bytes } = await bundle({ root, entry, outfile, minify: options.minify ?? false, sourcemap: options.sourcemap ?? false });
  return { entry, outfile, bytes };
}

function findEntry(root: string, entry: string | undefined): string {
  if (entry !== undefined) {
    const path = resolve(root, entry);
    if (!existsSync(path)) throw new CliError(`entry ${entry} does not exist in ${root}`);
    return path;
  }
  const found = DEFAULT_ENTRIES.map((e) => resolve(root, e)).find((path) => existsSync(path));
  if (found === undefined) throw new CliError(`no entry found in ${root}: looked for ${DEFAULT_ENTRIES.join(', ')} (or pass --entry <file>)`);
  return found;
}

export const BUILD_OPTIONS = {
  entry: { type: 'string' },
  minify: { type: 'boolean' },
  sourcemap: { type: 'boolean' },
} as const;

export function reportBuild(root: string, result: BuildResult): void {
  console.log(`plexus-plugin: built ${displayPath(root, result.outfile)} (${formatBytes(result.bytes)}) from ${displayPath(root, result.entry)}`);
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'bundle the plugin into the file its package.json names as plexus.main',
  help: `Usage: plexus-plugin build [dir] [--entry file] [--minify] [--sourcemap]

Validates dir/package.json (the "plexus" manifest), then bundles the entry with
esbuild into plexus.main: one ES module (ES2023) in which every dependency is
inlined except "@plexus/plugin-sdk", which the sandbox provides. Importing a
Node.js built-in (node:fs, crypto, ...) fails the build: the sandbox has none.

Arguments:
  dir             the plugin package (default: the current folder)

Options:
  --entry <file>  entry module (default: the first of ${DEFAULT_ENTRIES.join(', ')})
  --minify        minify the bundle
  --sourcemap     append an inline source map
  -h, --help      show this help`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('build', argv, BUILD_OPTIONS, 1);
    const root = resolve(positionals[0] ?? '.');
    reportBuild(root, await buildPlugin(root, values));
    return 0;
  },
};
