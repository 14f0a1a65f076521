// `plexus-plugin test [dir]`: builds, then runs the plugin's tests with the
// node:test runner of the very Node binary running this CLI, so tests see the
// same Node version (and its TypeScript type stripping) as the build.
import { spawn } from 'node:child_process';
import { glob } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BUILD_OPTIONS, buildPlugin, reportBuild } from './build-command.ts';
import { CliError, parseCommandArgs, type Command } from './command.ts';

const TEST_FILE = /\.test\.(?:ts|mts|js|mjs)$/;

export async function findTestFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for await (const file of glob('test/**/*.test.*', { cwd: root, exclude: ['**/node_modules/**'] })) {
    if (TEST_FILE.test(file)) files.push(file);
  }
  return files.sort();
}

function runNodeTest(root: string, nodeArgs: string[], files: string[]): Promise<number> {
  // An enclosing node:test run (this command run from a test) sets NODE_TEST_CONTEXT; inherited,
  // it would make this run report to that parent over a channel nobody reads, silently passing.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--test', ...nodeArgs, ...files], { cwd: root, env, stdio: 'inherit' });
    child.on('error', fail);
    // Killed by a signal: no exit code, but certainly not a pass.
    child.on('exit', (code) => done(code ?? 1));
  });
}

export const testCommand: Command = {
  name: 'test',
  summary: 'build the plugin, then run its tests (test/**/*.test.{ts,js}) with node --test',
  help: `Usage: plexus-plugin test [dir] [--entry file] [--minify] [--sourcemap] [-- node-test-options]

Runs "plexus-plugin build" (same options), then "node --test" on the plugin's
test files (test/**/*.test.ts, .mts, .js, .mjs) from dir, with the Node.js
binary running this command. Exits with the test run's exit code. Options
after "--" go to node --test, e.g. -- --test-reporter=tap --test-name-pattern=kv

Tests drive the built plugin in the real sandbox through
createTestHost from "@plexus/plugin-sdk/testing".

Arguments:
  dir             the plugin package (default: the current folder)

Options:
  --entry <file>  entry module for the build
  --minify        minify the bundle
  --sourcemap     append an inline source map
  -h, --help      show this help`,
  async run(argv) {
    const split = argv.indexOf('--');
    const nodeArgs = split === -1 ? [] : argv.slice(split + 1);
    const { values, positionals } = parseCommandArgs('test', split === -1 ? argv : argv.slice(0, split), BUILD_OPTIONS, 1);
    const root = resolve(positionals[0] ?? '.');
    reportBuild(root, await buildPlugin(root, values));
    const files = await findTestFiles(root);
    if (files.length === 0) throw new CliError(`no test files in ${root}: expected test/**/*.test.ts or .js`);
    // node --test reads every argument as a glob pattern (escaping does not help): "[route].test.ts"
    // would match no file, and the run would pass with no tests in it.
    const globby = files.find((file) => /[*?[\]{}!]/.test(file));
    if (globby !== undefined) throw new CliError(`${globby}: node --test reads file names as glob patterns, so this one would never run; rename it without * ? [ ] { } !`);
    return runNodeTest(root, nodeArgs, files);
  },
};
