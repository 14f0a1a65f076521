// An esbuild plugin that holds a bundle to what the sandbox can load
// (CONTRACT §2): "@plexus/plugin-sdk" stays an import, because the host
// provides it inside the sandbox; a Node built-in or an SDK subpath fails the
// build here, naming the import, instead of failing at load time in production.
import { isBuiltin } from 'node:module';
import type { Plugin } from 'esbuild';

export const SDK_SPECIFIER = '@plexus/plugin-sdk';

export function sandboxImports(): Plugin {
  return {
    name: 'plexus-sandbox-imports',
    setup(build) {
      // Bare specifiers only: relative and absolute paths are the plugin's own files.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path === SDK_SPECIFIER) return { path: SDK_SPECIFIER, external: true };
        if (args.path.startsWith(`${SDK_SPECIFIER}/`)) {
          return { errors: [{ text: `"${args.path}" cannot be used by plugin code: the sandbox provides only "${SDK_SPECIFIER}" (the testing and runtime entry points are for tests and hosts)` }] };
        }
        if (isBuiltin(args.path)) {
          return { errors: [{ text: `"${args.path}" is a Node.js built-in module: plugins run in a sandbox without Node APIs (use the capabilities on ctx: kv, emit, fetch, secrets)` }] };
        }
        return undefined;
      });
    },
  };
}
