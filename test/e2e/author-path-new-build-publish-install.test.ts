// The plugin author's path as the README tells it (issue 6, item 4), with
// the real tools: `plexus registry start`, `plexus-plugin new` and `build`,
// `npm publish --registry`, `plexus install` into a running `plexus start`,
// `plexus emit`, and the skeleton plugin counting the event.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { npmClient } from '../../registry/test/helpers/npm-cli.ts';
import { cleanEnv, startPlexus } from '../helpers/plexus-process.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const PLEXUS = join(ROOT, 'bin/plexus.js');
const PLEXUS_PLUGIN = join(ROOT, 'plugin-sdk/bin/plexus-plugin.js');
const TOKEN = 'author-path-token-0123456789abcdef';
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'plexus-author-'));
  // The skeleton's prepack runs `plexus-plugin build`: an author has it from `npm install`; here it is the repo's.
  process.env.PATH = `${join(ROOT, 'node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}`;
});
after(() => rm(work, { recursive: true, force: true }));

test('plexus-plugin new → build → npm publish → plexus install → plexus emit → counted', { timeout: 240_000 }, async () => {
  const registry = spawn(process.execPath, [PLEXUS, 'registry', 'start', '--port', '0', '--storage', join(work, 'registry')], { env: { ...cleanEnv(), PLEXUS_REGISTRY_TOKENS: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] });
  const registryExit = new Promise<number | null>((done) => registry.once('exit', (code) => done(code)));
  try {
    let stderr = '';
    const url = await new Promise<string>((found, fail) => {
      registry.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = /plexus: registry on (http:\/\/\S+) \(storage .*; 1 write token\(s\)\)/.exec(stderr);
        if (match) found(match[1] as string);
      });
      void registryExit.then((code) => fail(new Error(`plexus registry start exited with ${code}: ${stderr}`)));
    });

    const dir = join(work, 'hello');
    await run(process.execPath, [PLEXUS_PLUGIN, 'new', dir, '--name', '@acme/plexus-hello']);
    const built = await run(process.execPath, [PLEXUS_PLUGIN, 'build'], { cwd: dir });
    assert.match(built.stdout + built.stderr, /built dist\/plugin\.js/);
    const npm = await npmClient(join(work, 'npm'), url, TOKEN);
    const published = await npm.run(['publish', '--access', 'public'], dir);
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stdout, /\+ @acme\/plexus-hello@0\.1\.0/);

    const plexus = await startPlexus(join(work, 'state'));
    try {
      const installed = await plexus.cli('install', '@acme/plexus-hello', '--registry', url, '--grant', 'kv');
      assert.equal(installed.code, 0, installed.stderr);
      assert.equal(installed.stdout.trim(), 'installed @acme/plexus-hello@0.1.0 (active)');
      const emitted = await plexus.cli('emit', 'example.hello', '{"greeting": "hi"}');
      assert.equal(emitted.code, 0, emitted.stderr);
      const deadline = Date.now() + 30_000;
      while (!plexus.logs().some((l) => l.msg === 'event counted') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const counted = plexus.logs().find((l) => l.msg === 'event counted');
      assert.deepEqual(counted && { plugin: counted.plugin, version: counted.version, type: counted.type, count: counted.count }, { plugin: '@acme/plexus-hello', version: '0.1.0', type: 'example.hello', count: 1 });
    } finally {
      assert.equal(await plexus.stop(), 0);
    }
  } finally {
    registry.kill('SIGTERM');
    assert.equal(await registryExit, 0, 'the registry stops cleanly on SIGTERM');
  }
});
