// The real npm CLI against the registry: publish two versions of a plugin,
// view, dist-tag, install, search, whoami and ping — what plugin authors and
// operators actually run. Steps share one registry and run in order.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PLUGIN_JS, pluginPackageJson, request, writePackageDir } from './helpers/packages.ts';
import { npmSuite } from './helpers/registry-fixture.ts';

const NAME = 'plexus-order-enricher';
const SCOPED = '@acme/plexus-order-tagger';

describe('npm CLI end to end', () => {
  const suite = npmSuite();

  async function npmOk(args: string[], cwd: string): Promise<string> {
    const result = await suite().npm.run(args, cwd);
    assert.equal(result.code, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }

  it('npm publish uploads a plugin and a second version', async () => {
    const v1 = await writePackageDir(join(suite().dir, 'p1'), pluginPackageJson(NAME, '1.0.0'));
    assert.match(await npmOk(['publish'], v1), /\+ plexus-order-enricher@1\.0\.0/);
    const v2 = await writePackageDir(join(suite().dir, 'p2'), pluginPackageJson(NAME, '1.1.0'));
    assert.match(await npmOk(['publish'], v2), /\+ plexus-order-enricher@1\.1\.0/);
  });

  it('npm view lists both versions, latest is the second', async () => {
    assert.deepEqual(JSON.parse(await npmOk(['view', NAME, 'versions', '--json'], suite().dir)), ['1.0.0', '1.1.0']);
    assert.equal(JSON.parse(await npmOk(['view', NAME, 'dist-tags.latest', '--json'], suite().dir)), '1.1.0');
  });

  it('npm dist-tag add, ls and rm move tags', async () => {
    assert.match(await npmOk(['dist-tag', 'add', `${NAME}@1.0.0`, 'stable'], suite().dir), /\+stable: plexus-order-enricher@1\.0\.0/);
    const listed = await npmOk(['dist-tag', 'ls', NAME], suite().dir);
    assert.match(listed, /^latest: 1\.1\.0$/m);
    assert.match(listed, /^stable: 1\.0\.0$/m);
    await npmOk(['dist-tag', 'add', `${NAME}@1.0.0`, 'old'], suite().dir);
    await npmOk(['dist-tag', 'rm', NAME, 'old'], suite().dir);
    assert.doesNotMatch(await npmOk(['dist-tag', 'ls', NAME], suite().dir), /^old:/m);
  });

  it('npm install fetches the tarball, with files and integrity intact', async () => {
    const project = await writePackageDir(join(suite().dir, 'consumer'), { name: 'consumer', version: '1.0.0', private: true }, {});
    await npmOk(['install', `${NAME}@stable`], project);
    const installed = join(project, 'node_modules', NAME);
    assert.equal(JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')).version, '1.0.0');
    assert.equal(await readFile(join(installed, 'dist/plugin.js'), 'utf8'), PLUGIN_JS);
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8'));
    const entry = lock.packages[`node_modules/${NAME}`];
    assert.equal(entry.resolved, `${suite().url}/${NAME}/-/${NAME}-1.0.0.tgz`);
    const packument = (await request(`${suite().url}/${NAME}`)).body as { versions: Record<string, { dist: { integrity: string } }> };
    assert.equal(entry.integrity, packument.versions['1.0.0']!.dist.integrity);
  });

  it('npm publish and install work for a scoped plugin', async () => {
    const dir = await writePackageDir(join(suite().dir, 'scoped'), pluginPackageJson(SCOPED, '0.1.0'));
    await npmOk(['publish', '--access', 'public'], dir);
    const project = await writePackageDir(join(suite().dir, 'consumer-scoped'), { name: 'consumer-scoped', version: '1.0.0', private: true }, {});
    await npmOk(['install', SCOPED], project);
    assert.equal(await readFile(join(project, 'node_modules', SCOPED, 'dist/plugin.js'), 'utf8'), PLUGIN_JS);
  });

  it('npm search finds plugins by text and keyword', async () => {
    const byText = JSON.parse(await npmOk(['search', 'enricher', '--json'], suite().dir)) as { name: string; version: string }[];
    assert.deepEqual(byText.map((p) => [p.name, p.version]), [[NAME, '1.1.0']]);
    const byKeyword = JSON.parse(await npmOk(['search', 'keywords:plexus-plugin', '--json'], suite().dir)) as { name: string }[];
    assert.deepEqual(byKeyword.map((p) => p.name).sort(), [SCOPED, NAME]);
  });

  it('npm whoami names the token and npm ping gets a PONG', async () => {
    assert.match((await npmOk(['whoami'], suite().dir)).trim(), /^token-[0-9a-f]{12}$/);
    const ping = await suite().npm.run(['ping'], suite().dir);
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stderr, /PONG/);
  });
});
