// Loads a plugin's ES modules into its isolate. A plugin may import relative
// files of its own package and "@plexus/plugin-sdk"; nothing else (CONTRACT
// §2). Paths are resolved and real-pathed so neither `..` nor a symlink can
// reach a file outside the package.
import { readFile, realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type ivm from 'isolated-vm';
import { PlexusError } from '../errors.ts';

export const SDK_SPECIFIER = '@plexus/plugin-sdk';
const MODULE_FILE = /\.(m?js)$/;
/** The largest module an isolate loads; `plexus-plugin build` refuses a bundle over it. */
export const MAX_MODULE_BYTES = 8 * 1024 * 1024;

export interface LoadedModules {
  main: ivm.Module;
}

export async function loadPluginModules(isolate: ivm.Isolate, context: ivm.Context, root: string, main: string, sdkSource: string): Promise<LoadedModules> {
  const realRoot = await realpath(root);
  const byPath = new Map<string, Promise<ivm.Module>>();
  const pathOf = new Map<ivm.Module, string>();
  const sdk = await isolate.compileModule(sdkSource, { filename: `plexus:${SDK_SPECIFIER}` });

  const compile = (path: string): Promise<ivm.Module> => {
    let pending = byPath.get(path);
    if (!pending) {
      pending = (async () => {
        const source = await readFile(path, 'utf8');
        if (Buffer.byteLength(source) > MAX_MODULE_BYTES) throw loadError(`${path.slice(realRoot.length + 1)} is larger than ${MAX_MODULE_BYTES} bytes`);
        const mod = await isolate.compileModule(source, { filename: `plugin:${path.slice(realRoot.length + 1)}` });
        pathOf.set(mod, path);
        return mod;
      })();
      byPath.set(path, pending);
    }
    return pending;
  };

  const inside = async (candidate: string): Promise<string> => {
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      throw loadError(`cannot find module ${candidate.slice(realRoot.length + 1) || candidate}`);
    }
    if (!real.startsWith(realRoot + sep)) throw loadError(`module ${candidate} resolves outside the plugin package`);
    if (!MODULE_FILE.test(real)) throw loadError(`module ${real.slice(realRoot.length + 1)} is not a .js or .mjs file`);
    return real;
  };

  const resolver = async (specifier: string, referrer: ivm.Module): Promise<ivm.Module> => {
    if (specifier === SDK_SPECIFIER) return sdk;
    const from = pathOf.get(referrer);
    if (!from) throw loadError(`the SDK module cannot import "${specifier}"`);
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
      throw loadError(`import of "${specifier}" is not allowed: a plugin may import only its own relative files and ${SDK_SPECIFIER} (bundle dependencies with plexus-plugin build)`);
    }
    return compile(await inside(resolve(dirname(from), specifier)));
  };

  const mainModule = await compile(await inside(resolve(realRoot, main)));
  await mainModule.instantiate(context, resolver);
  return { main: mainModule };
}

export function loadError(message: string, cause?: unknown): PlexusError {
  return new PlexusError('PLEXUS_PLUGIN_LOAD_FAILED', message, cause === undefined ? undefined : { cause });
}
