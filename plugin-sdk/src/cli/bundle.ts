// Bundles a plugin's entry into the single ES module its manifest names as
// `plexus.main`: everything but "@plexus/plugin-sdk" inlined, since the sandbox
// loads only the package's own files and the SDK.
import { rm, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { build, type BuildFailure, type Message } from 'esbuild';
import { CliError } from './command.ts';
import { sandboxImports } from './sandbox-imports.ts';
import { MAX_MODULE_BYTES } from '../sandbox/module-loader.ts';

export interface BundleOptions {
  /** The plugin package folder; paths in messages are relative to it. */
  root: string;
  entry: string;
  outfile: string;
  minify: boolean;
  sourcemap: boolean;
}

export async function bundle(options: BundleOptions): Promise<{ bytes: number }> {
  let exported: string[];
  try {
    const result = await build({
      absWorkingDir: options.root,
      entryPoints: [options.entry],
      outfile: options.outfile,
      bundle: true,
      format: 'esm',
      // neutral: no Node or browser shims; the sandbox is plain ECMAScript.
      platform: 'neutral',
      target: 'es2023',
      // neutral has no default main fields, so name the ones npm packages use.
      mainFields: ['module', 'main'],
      // Libraries branch on this; there is no `process` in the sandbox to read it from.
      define: { 'process.env.NODE_ENV': '"production"' },
      minify: options.minify,
      sourcemap: options.sourcemap ? 'inline' : false,
      plugins: [sandboxImports()],
      logLevel: 'silent',
      metafile: true,
    });
    // One entry, no splitting, source maps inline: the one output is the bundle.
    exported = Object.values(result.metafile.outputs)[0]?.exports ?? [];
  } catch (err) {
    if (isBuildFailure(err)) throw new CliError(`build failed:\n${err.errors.map((m) => `  ${describeMessage(m)}`).join('\n')}`);
    throw err;
  }
  // The sandbox loads only a default export made by definePlugin; without one, every delivery would fail to load.
  if (!exported.includes('default')) {
    await rm(options.outfile, { force: true });
    throw new CliError(`build failed: ${displayPath(options.root, options.entry)} has no default export: a plugin module ends with export default definePlugin({ execute(event, ctx) { ... } })`);
  }
  const bytes = (await stat(options.outfile)).size;
  // Built is not enough: a bundle the sandbox will not load would pass here and fail every delivery.
  if (bytes > MAX_MODULE_BYTES) {
    await rm(options.outfile, { force: true });
    throw new CliError(`build failed: ${displayPath(options.root, options.outfile)} is ${formatBytes(bytes)}, over the ${formatBytes(MAX_MODULE_BYTES)} a sandbox loads (try --minify, or drop large dependencies)`);
  }
  return { bytes };
}

function isBuildFailure(err: unknown): err is BuildFailure {
  return err instanceof Error && Array.isArray((err as Partial<BuildFailure>).errors);
}

function describeMessage(message: Message): string {
  const at = message.location;
  return at ? `${at.file}:${at.line}:${at.column}: ${message.text}` : message.text;
}

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

export function displayPath(root: string, path: string): string {
  return relative(root, path) || '.';
}
