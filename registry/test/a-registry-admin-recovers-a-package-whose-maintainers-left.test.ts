// The operator override, with the real npm CLI: A publishes a package, then
// A's token is taken out of the configuration (A left). The registry restarts
// on the same storage with B as a writer and C as an admin
// (PLEXUS_REGISTRY_ADMIN_TOKENS). B is refused; C hands the package to B with
// `npm owner add` and `npm owner rm`, and B publishes. C may also publish and
// move dist-tags without being a maintainer, is not listed unless added, and
// cannot remove the last maintainer. Steps share one registry and run in order.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRegistry, type RunningRegistry } from '../src/index.ts';
import { npmClient, type NpmClient } from './helpers/npm-cli.ts';
import { pluginPackageJson, request, writePackageDir } from './helpers/packages.ts';
import { startFixture } from './helpers/registry-fixture.ts';

const TOKEN_A = 'first-author-token-0123456789abcdef';
const TOKEN_B = 'second-author-token-fedcba9876543210';
const TOKEN_C = 'registry-admin-token-00112233445566';
const NAME = '@a/plugin';

interface Doc {
  maintainers: { name: string }[];
  'dist-tags': Record<string, string>;
  versions: Record<string, { _npmUser?: { name: string } }>;
}

describe('a registry admin recovers a package whose maintainers left, with the npm CLI', () => {
  let dir: string;
  let registry: RunningRegistry;
  let b: NpmClient;
  let c: NpmClient;
  let idA: string;
  let idB: string;
  let idC: string;

  async function npmOk(client: NpmClient, args: string[], cwd = dir): Promise<string> {
    const result = await client.run(args, cwd);
    assert.equal(result.code, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }
  const packageDir = (version: string): Promise<string> => writePackageDir(join(dir, `pkg-${version}`), pluginPackageJson(NAME, version));
  const doc = async (): Promise<Doc> => (await request(`${registry.url}/@a%2fplugin`)).body as Doc;
  const ownerLs = async (client: NpmClient): Promise<string[]> => (await npmOk(client, ['owner', 'ls', NAME])).trim().split('\n').sort();

  before(async () => {
    const first = await startFixture({ tokens: [TOKEN_A, TOKEN_B], adminTokens: [] });
    dir = first.dir;
    const a = await npmClient(join(dir, 'npm-a'), first.url, TOKEN_A);
    idA = (await npmOk(a, ['whoami'])).trim();
    await npmOk(a, ['publish', '--access', 'public'], await packageDir('1.0.0'));
    // A leaves: the same storage (so the same identities) served without A's token.
    await first.registry.close();
    registry = await startRegistry({ port: 0, host: '127.0.0.1', storage: first.storage, tokens: [TOKEN_B], adminTokens: [TOKEN_C] });
    b = await npmClient(join(dir, 'npm-b'), registry.url, TOKEN_B);
    c = await npmClient(join(dir, 'npm-c'), registry.url, TOKEN_C);
    idB = (await npmOk(b, ['whoami'])).trim();
    idC = (await npmOk(c, ['whoami'])).trim();
    assert.deepEqual((await doc()).maintainers.map((m) => m.name), [idA]);
  });
  after(async () => {
    await registry?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('B is refused 403 PLEXUS_FORBIDDEN, and the message says a registry admin can fix ownership', async () => {
    const result = await b.run(['publish', '--access', 'public'], await packageDir('9.9.9'));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`403 Forbidden - PUT .*@a%2fplugin - PLEXUS_FORBIDDEN: ${idB} is not a maintainer of @a/plugin \\(maintainers: ${idA}\\); .*registry admin`));
    assert.deepEqual(Object.keys((await doc()).versions), ['1.0.0']);
  });

  it("A's identity is still a user to writers, who may have to remove it, and to nobody else", async () => {
    const lookup = (token?: string) => request(`${registry.url}/-/user/org.couchdb.user:${idA}`, token === undefined ? {} : { token });
    assert.equal((await lookup(TOKEN_B)).status, 200);
    assert.equal((await lookup(TOKEN_C)).status, 200);
    assert.equal((await lookup()).status, 404, 'without a token: only the configured tokens are users');
    assert.equal((await lookup('not-a-token-of-this-registry')).status, 404);
  });

  it('the admin C runs npm owner add <B> and npm owner rm <A>; then B publishes a new version', async () => {
    assert.equal((await npmOk(c, ['owner', 'add', idB, NAME])).trim(), `+ ${idB} (${NAME})`);
    assert.equal((await npmOk(c, ['owner', 'rm', idA, NAME])).trim(), `- ${idA} (${NAME})`);
    assert.deepEqual(await ownerLs(b), [`${idB} <>`]);
    assert.match(await npmOk(b, ['publish', '--access', 'public'], await packageDir('1.1.0')), /\+ @a\/plugin@1\.1\.0/);
    assert.deepEqual(Object.keys((await doc()).versions), ['1.0.0', '1.1.0']);
  });

  it('the admin publishes a version and moves dist-tags of a package it does not maintain', async () => {
    assert.match(await npmOk(c, ['publish', '--access', 'public', '--tag', 'next'], await packageDir('1.2.0')), /\+ @a\/plugin@1\.2\.0/);
    await npmOk(c, ['dist-tag', 'add', `${NAME}@1.0.0`, 'stable']);
    await npmOk(c, ['dist-tag', 'rm', NAME, 'next']);
    const after = await doc();
    assert.deepEqual(after['dist-tags'], { latest: '1.1.0', stable: '1.0.0' });
    assert.equal(after.versions['1.2.0']?._npmUser?.name, idC, 'the version records who published it');
    assert.deepEqual(after.maintainers.map((m) => m.name), [idB], 'writing did not make the admin a maintainer');
  });

  it('npm owner ls does not list the admin unless it is added, and an admin identity can be added', async () => {
    assert.deepEqual(await ownerLs(c), [`${idB} <>`]);
    assert.equal((await npmOk(c, ['owner', 'add', idC, NAME])).trim(), `+ ${idC} (${NAME})`);
    assert.deepEqual(await ownerLs(b), [`${idB} <>`, `${idC} <>`].sort());
    assert.equal((await npmOk(b, ['owner', 'rm', idC, NAME])).trim(), `- ${idC} (${NAME})`);
    assert.deepEqual(await ownerLs(b), [`${idB} <>`]);
  });

  it('the admin cannot remove the last maintainer', async () => {
    const last = await c.run(['owner', 'rm', idB, NAME], dir);
    assert.notEqual(last.code, 0);
    assert.match(last.stderr, /Cannot remove all owners of a package/);
    assert.deepEqual(await ownerLs(c), [`${idB} <>`]);
  });
});
