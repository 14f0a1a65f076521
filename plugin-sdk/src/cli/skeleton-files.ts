// The files `plexus-plugin new` writes: the smallest plugin that shows the
// whole loop (manifest, config default, one capability, a sandboxed test).
import { HOST_API_VERSION } from '../plugin-api.ts';
import sdkPackage from '../../package.json' with { type: 'json' };
import { TYPECHECK_SCRIPT, TYPESCRIPT_DEV_DEPENDENCIES, TYPESCRIPT_FILES } from './skeleton-typescript.ts';

export interface SkeletonOptions {
  name: string;
}

/** The SDK's dependencies with install scripts (a test keeps this in line with what npm installs). */
export const SDK_INSTALL_SCRIPTS: Readonly<Record<string, boolean>> = { esbuild: true, 'isolated-vm': true };

/** `^<major>.0.0`: any host API release of the major version this SDK targets. */
export const skeletonApiRange = (): string => `^${HOST_API_VERSION.split('.')[0]}.0.0`;

export function skeletonFiles({ name }: SkeletonOptions): Record<string, string> {
  const packageJson = {
    name,
    version: '0.1.0',
    description: 'A Plexus plugin',
    type: 'module',
    keywords: ['plexus-plugin'],
    files: ['dist', 'README.md'],
    // prepack: `npm publish` never ships a package without its bundle.
    scripts: { build: 'plexus-plugin build', test: 'plexus-plugin test', typecheck: TYPECHECK_SCRIPT, prepack: 'plexus-plugin build' },
    // The tests run TypeScript directly (Node's type stripping) and the host runs on Node 24.
    engines: { node: '>=24' },
    devDependencies: { '@plexus/plugin-sdk': `^${sdkPackage.version}`, ...TYPESCRIPT_DEV_DEPENDENCIES },
    // The SDK's dependencies whose install scripts npm must run: npm 11.16+ warns at every install about
    // scripts not listed here, and npm 12 skips them (isolated-vm then has no binary on a platform without a prebuilt one).
    allowScripts: SDK_INSTALL_SCRIPTS,
    plexus: {
      apiVersion: skeletonApiRange(),
      main: 'dist/plugin.js',
      subscribe: ['example.#'],
      config: {
        type: 'object',
        properties: { prefix: { type: 'string', minLength: 1, default: 'count' } },
        additionalProperties: false,
      },
      capabilities: { kv: true },
    },
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    // .npmrc: where `npm publish` finds the registry's write token.
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n.npmrc\n',
    'src/plugin.ts': PLUGIN_SOURCE,
    'test/plugin.test.ts': TEST_SOURCE,
    'README.md': readme(name),
    ...TYPESCRIPT_FILES,
  };
}

const PLUGIN_SOURCE = `import { definePlugin, PermanentError } from '@plexus/plugin-sdk';

interface Config {
  prefix: string;
}

// Counts events per type in the plugin's private kv namespace.
export default definePlugin<Config>({
  async execute(event, ctx) {
    // Capabilities the operator did not grant are absent from ctx; retrying will not grant them.
    if (!ctx.kv) throw new PermanentError('the kv capability is not granted (plexus install ... --grant kv)');
    const count = await ctx.kv.incr(\`\${ctx.config.prefix}:\${event.type}\`);
    ctx.log.info('event counted', { type: event.type, count });
  },
});
`;

const TEST_SOURCE = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestHost } from '@plexus/plugin-sdk/testing';

// The package folder: createTestHost runs its built plexus.main in the real sandbox.
const plugin = fileURLToPath(new URL('..', import.meta.url));

test('counts each event type in kv and logs the count', async (t) => {
  const host = await createTestHost({ plugin, grants: ['kv'] });
  t.after(() => host.close());

  const [first, second] = await host.deliverMany([{ type: 'example.hello' }, { type: 'example.hello' }]);

  // The error's message as the assertion's: a failing run shows why, not only "'retry' !== 'ok'".
  assert.equal(first?.status, 'ok', first?.error?.message);
  assert.equal(second?.status, 'ok', second?.error?.message);
  assert.equal(host.kv.get('count:example.hello'), 2);
  assert.deepEqual(second?.logs.map((l) => l.fields), [{ type: 'example.hello', count: 2 }]);
});

test('without the kv grant the event is dead-lettered, not retried', async (t) => {
  const host = await createTestHost({ plugin, grants: [] });
  t.after(() => host.close());

  const outcome = await host.deliver({ type: 'example.hello' });

  assert.equal(outcome.status, 'dead');
  assert.match(outcome.error?.message ?? '', /kv capability is not granted/);
});
`;

const readme = (name: string): string => `# ${name}

A [Plexus](https://plexus.dev) plugin: counts events per type in kv.

## Develop

\`\`\`sh
npm install
npm run build       # plexus-plugin build: bundles src/plugin.ts into dist/plugin.js
npm test            # plexus-plugin test: builds, then runs test/*.test.ts in the real sandbox
npm run typecheck   # tsc on src/ (typed as the sandbox: no Node APIs) and test/; the build does not check types
\`\`\`

The \`plexus\` object in package.json is the manifest: which events the plugin
subscribes to, its config schema (with defaults) and the capabilities it asks
for. An operator grants them at install time:

\`\`\`sh
plexus install ${name} --registry <your Plexus registry> --grant kv
\`\`\`

## Publish

\`\`\`sh
npm run build && npm publish --registry <your Plexus registry>
\`\`\`

The registry's write token goes in \`.npmrc\` (\`//host:port/:_authToken=…\`),
which \`.gitignore\` keeps out of git.
`;
