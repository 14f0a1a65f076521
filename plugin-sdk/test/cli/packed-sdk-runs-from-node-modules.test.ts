// A plugin author gets @plexus/plugin-sdk as a tarball (`npm pack`, or a
// registry) installed under node_modules, where Node will not strip types; in
// the checkout the SDK runs from its .ts sources. This packs the SDK with the
// real `npm pack` (its prepack compiles it: scripts/pack.ts), installs the
// tarball into a fresh project, and drives the author's loop from there:
// plexus-plugin new, build and test, a type check against the shipped .d.ts,
// and @plexus/plugin-sdk/testing running the plugin in the real sandbox.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { packedManifest, parseSdkManifest } from '../../scripts/pack.ts';
import { SDK_DIR, tempDir, type CliRun } from './cli-fixture.ts';

const ROOT = resolve(SDK_DIR, '..');

/** The author's shell: their project's bins first, then the Node running the tests (the bin's `#!/usr/bin/env node`). */
function authorEnv(project: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // npm/npx running the tests exports npm_config_* (its prefix among them), which would steer the npm run here.
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_config_/i.test(key) && key !== 'NODE_TEST_CONTEXT') env[key] = value;
  env.PATH = [join(project, 'node_modules/.bin'), dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  return env;
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((done) => {
    execFile(file, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

/**
 * prepack rewrites package.json for the length of the pack: tests running
 * beside this one in the checkout would resolve the SDK to dist/ meanwhile.
 * So the SDK is copied, test/ included, into the checkout's layout: the root
 * tsconfig.json its build extends, and node_modules for the compiler.
 */
async function checkoutCopy(parent: string): Promise<string> {
  const sdk = join(parent, 'checkout/plugin-sdk');
  const skip = new Set(['node_modules', 'dist', '.packing']);
  await cp(SDK_DIR, sdk, { recursive: true, filter: (source) => !skip.has(relative(SDK_DIR, source)) });
  await cp(join(ROOT, 'tsconfig.json'), join(parent, 'checkout/tsconfig.json'));
  await symlink(join(ROOT, 'node_modules'), join(parent, 'checkout/node_modules'), 'dir');
  return sdk;
}

// Plain and type-checked: the shipped .d.ts must type the harness (the expect-error fails the check if they were missing or any).
// In test/, so the skeleton's test/tsconfig.json checks it as it checks the author's tests.
const HARNESS_SCRIPT = `import { join } from 'node:path';
import { createTestHost } from '@plexus/plugin-sdk/testing';

const host = await createTestHost({ plugin: join(import.meta.dirname, '..'), grants: ['kv'] });
try {
  const outcome = await host.deliver({ type: 'example.hello' });
  // @ts-expect-error: a status is 'ok' | 'retry' | 'dead'
  const status: number = outcome.status;
  console.log(JSON.stringify({ resolved: import.meta.resolve('@plexus/plugin-sdk/testing'), status, logs: outcome.logs.map((l) => l.fields), count: host.kv.get('count:example.hello') }));
} finally {
  await host.close();
}
`;

// Plugin code that reads a Node global: the skeleton's tsconfig types src/ as the sandbox (ECMAScript and console), where it does not exist.
const NODE_GLOBAL_SOURCE = `export const home: unknown = process.env.HOME;\nconsole.log('console is there');\n`;

test('the packed SDK, installed from its tarball, runs new, build, test and the test harness from node_modules', { timeout: 300_000 }, async (t) => {
  const work = await tempDir(t);
  const sdk = await checkoutCopy(work);
  const manifestText = await readFile(join(sdk, 'package.json'), 'utf8');
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);

  let started = performance.now();
  const packed = await run('npm', ['pack', '--json', '--pack-destination', tarballs], sdk, authorEnv(sdk));
  assert.equal(packed.code, 0, packed.stderr);
  t.diagnostic(`npm pack (with the prepack build): ${Math.round(performance.now() - started)} ms`);
  const [pack] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(pack);
  const shipped = pack.files.map((f) => f.path);
  assert.deepEqual(shipped.filter((path) => !path.startsWith('dist/')).sort(), ['bin/plexus-plugin.js', 'package.json']);
  for (const path of ['dist/index.js', 'dist/index.d.ts', 'dist/testing.js', 'dist/cli/main.js', 'dist/sandbox/sandbox-process.js', 'dist/sandbox/worker.js', 'dist/errors.js']) {
    assert.ok(shipped.includes(path), `${path} is in the tarball`);
  }
  assert.equal(await readFile(join(sdk, 'package.json'), 'utf8'), manifestText, 'postpack puts the checkout package.json back byte for byte');
  assert.ok(!existsSync(join(sdk, 'dist')) && !existsSync(join(sdk, '.packing')), 'postpack leaves no dist/ behind');

  const project = join(work, 'author');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'author', version: '1.0.0', private: true, type: 'module' }));
  const env = authorEnv(project);
  started = performance.now();
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(tarballs, pack.filename)], project, env);
  assert.equal(installed.code, 0, installed.stderr);
  t.diagnostic(`npm install of the tarball: ${Math.round(performance.now() - started)} ms`);
  const installedSdk = join(project, 'node_modules/@plexus/plugin-sdk');
  assert.equal((await lstat(installedSdk)).isSymbolicLink(), false, 'a real copy under node_modules, not a link to the checkout');
  assert.deepEqual(JSON.parse(await readFile(join(installedSdk, 'package.json'), 'utf8')), packedManifest(parseSdkManifest(manifestText)));

  // The plugin lives in the project that installed the SDK: its imports resolve to that node_modules.
  const bin = join(project, 'node_modules/.bin/plexus-plugin');
  const plugin = join(project, 'hello');
  const created = await run(bin, ['new', plugin, '--name', '@acme/plexus-hello'], project, env);
  assert.equal(created.code, 0, created.stderr);
  const built = await run(bin, ['build'], plugin, env);
  assert.equal(built.code, 0, built.stderr);
  assert.match(await readFile(join(plugin, 'dist/plugin.js'), 'utf8'), /from "@plexus\/plugin-sdk"/);
  const tested = await run(bin, ['test', '--', '--test-reporter=tap'], plugin, env);
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /# pass 2\n/);
  assert.match(tested.stdout, /# fail 0\n/);

  // The skeleton's own type check (its typecheck script), as an editor sees the project: @types/node, a devDependency
  // of the skeleton, comes from the checkout here (no registry in tests).
  await mkdir(join(project, 'node_modules/@types'), { recursive: true });
  await symlink(join(ROOT, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'), 'dir');
  await writeFile(join(plugin, 'test/harness.ts'), HARNESS_SCRIPT);
  const tsc = (config: string): Promise<CliRun> => run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], plugin, env);
  for (const config of ['.', 'test']) {
    const typed = await tsc(config);
    assert.equal(typed.code, 0, `tsc -p ${config}: ${typed.stdout}${typed.stderr}`);
  }
  await writeFile(join(plugin, 'src/node-global.ts'), NODE_GLOBAL_SOURCE);
  const leaked = await tsc('.');
  assert.equal(leaked.code, 2, leaked.stdout);
  // One error, on process: console, which the sandbox has, type-checks.
  const errors = leaked.stdout.match(/error TS\d+: .*/g) ?? [];
  assert.equal(errors.length, 1, leaked.stdout);
  assert.match(errors[0] ?? '', /Cannot find name 'process'/);
  await rm(join(plugin, 'src/node-global.ts'));

  const harness = await run(process.execPath, ['test/harness.ts'], plugin, env);
  assert.equal(harness.code, 0, harness.stderr);
  const result = JSON.parse(harness.stdout) as { resolved: string; status: string; logs: unknown[]; count: unknown };
  assert.equal(result.resolved, pathToFileURL(join(await realpath(installedSdk), 'dist/testing.js')).href);
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.logs, [{ type: 'example.hello', count: 1 }]);
  assert.equal(result.count, 1);
});
