// The type-checking part of the skeleton `plexus-plugin new` writes. Without a
// tsconfig an editor resolves packages the pre-"exports" way, finds no types
// for @plexus/plugin-sdk and types ctx as any. Two configs, because the code
// runs in two places: src/ in the sandbox (plain ECMAScript and console, so
// the editor flags process, fetch or setTimeout there) and test/ in Node.

/** devDependencies the type check needs, besides the SDK. */
export const TYPESCRIPT_DEV_DEPENDENCIES: Readonly<Record<string, string>> = Object.freeze({
  '@types/node': '^24',
  typescript: '^5.9.3',
});

/** Checks both programs: one tsconfig cannot type src/ without Node and test/ with it. */
export const TYPECHECK_SCRIPT = 'tsc -p . && tsc -p test';

const ROOT_TSCONFIG = `{
  // src/: the plugin as the sandbox runs it, ECMAScript and console (src/sandbox-globals.d.ts), no Node.
  // plexus-plugin build bundles it with esbuild, which strips types without checking them: npm run typecheck.
  "compilerOptions": {
    "target": "es2023",
    "lib": ["es2023"],
    "module": "nodenext",
    "types": [],
    "strict": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "verbatimModuleSyntax": true,
    "erasableSyntaxOnly": true,
    "skipLibCheck": true
  },
  "include": ["src"]
}
`;

const TEST_TSCONFIG = `{
  // test/: run by node --test (Node 24 strips the types), with Node's APIs.
  "extends": "../tsconfig.json",
  "compilerOptions": { "types": ["node"] },
  "include": ["."]
}
`;

const SANDBOX_GLOBALS = `// What plugin code has in the Plexus sandbox besides ECMAScript: console.*,
// which writes to the plugin's log. There is no process, fetch, setTimeout or
// Buffer: use ctx.log, ctx.fetch, ctx.kv, ctx.emit and ctx.secrets.
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}
declare var console: Console;
`;

export const TYPESCRIPT_FILES: Readonly<Record<string, string>> = Object.freeze({
  'tsconfig.json': ROOT_TSCONFIG,
  'test/tsconfig.json': TEST_TSCONFIG,
  'src/sandbox-globals.d.ts': SANDBOX_GLOBALS,
});
