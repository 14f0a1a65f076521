// Runs the real plexus-plugin bin (bin/plexus-plugin.js) in a child process,
// with the Node binary running the tests, and makes throwaway plugin folders.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/plexus-plugin.js', import.meta.url));
export const SDK_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-plugin-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Outside the monorepo a skeleton gets @plexus/plugin-sdk from `npm install`.
 * Tests must not hit a registry, so they link the SDK under test into the
 * skeleton's node_modules instead: its test file then imports
 * @plexus/plugin-sdk/testing exactly as a plugin author's test would (Node
 * follows the link to this checkout, where the SDK's own dependencies resolve).
 */
export async function linkSdk(pluginDir: string): Promise<void> {
  const link = join(pluginDir, 'node_modules/@plexus/plugin-sdk');
  await mkdir(dirname(link), { recursive: true });
  await symlink(SDK_DIR, link, 'dir');
}

/** A minimal plugin package with the given files (paths relative to the package). */
export async function writePackage(dir: string, packageJson: object, files: Record<string, string>): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

export const validPackageJson = (plexus: object = {}): object => ({
  name: '@acme/cli-fixture',
  version: '1.0.0',
  type: 'module',
  keywords: ['plexus-plugin'],
  plexus: { apiVersion: '^1.0.0', main: 'dist/plugin.js', subscribe: ['test.#'], ...plexus },
});
