// Package ownership with the real npm CLI and two authors, each with their own
// token and .npmrc: B cannot publish over A's package and sees why; after
// `npm owner add <B>` by A, B can; `npm owner ls` lists both.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { npmClient, type NpmClient } from './helpers/npm-cli.ts';
import { pluginPackageJson, request, writePackageDir } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

const TOKEN_B = 'second-author-token-fedcba9876543210';
const NAME = '@a/plugin';

describe('npm owner and publish rights with the npm CLI', () => {
  let fx: RegistryFixture;
  let a: NpmClient;
  let b: NpmClient;
  let idA: string;
  let idB: string;

  async function npmOk(client: NpmClient, args: string[], cwd = fx.dir): Promise<string> {
    const result = await client.run(args, cwd);
    assert.equal(result.code, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }
  const packageDir = (version: string): Promise<string> => writePackageDir(join(fx.dir, `pkg-${version}`), pluginPackageJson(NAME, version));
  const versions = async (): Promise<string[]> => Object.keys(((await request(`${fx.url}/@a%2fplugin`)).body as { versions: object }).versions);

  before(async () => {
    fx = await startFixture({ tokens: [TOKEN, TOKEN_B] });
    a = await npmClient(join(fx.dir, 'npm-a'), fx.url, TOKEN);
    b = await npmClient(join(fx.dir, 'npm-b'), fx.url, TOKEN_B);
    idA = (await npmOk(a, ['whoami'])).trim();
    idB = (await npmOk(b, ['whoami'])).trim();
    await npmOk(a, ['publish', '--access', 'public'], await packageDir('1.0.0'));
  });
  after(() => fx?.close());

  it("B's npm publish of A's package fails with 403 PLEXUS_FORBIDDEN naming A as the maintainer", async () => {
    const result = await b.run(['publish', '--access', 'public'], await packageDir('9.9.9'));
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      new RegExp(`403 Forbidden - PUT .*@a%2fplugin - PLEXUS_FORBIDDEN: ${idB} is not a maintainer of @a/plugin \\(maintainers: ${idA}\\); a maintainer can add you with: npm owner add ${idB} @a/plugin`),
    );
    assert.deepEqual(await versions(), ['1.0.0']);
  });

  it("B's npm dist-tag add and npm owner add on A's package fail with 403", async () => {
    const tag = await b.run(['dist-tag', 'add', `${NAME}@1.0.0`, 'stable'], fx.dir);
    assert.notEqual(tag.code, 0);
    assert.match(tag.stderr, new RegExp(`PLEXUS_FORBIDDEN: ${idB} is not a maintainer of @a/plugin`));
    const owner = await b.run(['owner', 'add', idB, NAME], fx.dir);
    assert.notEqual(owner.code, 0);
    assert.match(owner.stderr, new RegExp(`403 Forbidden - PUT .* - PLEXUS_FORBIDDEN: ${idB} is not a maintainer of @a/plugin`));
    assert.equal((await npmOk(a, ['owner', 'ls', NAME])).trim(), `${idA} <>`);
  });

  it('npm owner add of a name that is no token identity fails with 404', async () => {
    const result = await a.run(['owner', 'add', 'token-000000000000', NAME], fx.dir);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /404 Not Found - GET .*org\.couchdb\.user:token-000000000000 - PLEXUS_NOT_FOUND: No user token-000000000000/);
  });

  it('after A runs npm owner add <B>, B publishes and npm owner ls lists both', async () => {
    assert.equal((await npmOk(a, ['owner', 'add', idB, NAME])).trim(), `+ ${idB} (${NAME})`);
    assert.match(await npmOk(b, ['publish', '--access', 'public'], await packageDir('1.1.0')), /\+ @a\/plugin@1\.1\.0/);
    assert.deepEqual(await versions(), ['1.0.0', '1.1.0']);
    assert.deepEqual((await npmOk(b, ['owner', 'ls', NAME])).trim().split('\n').sort(), [`${idA} <>`, `${idB} <>`].sort());
  });

  it('npm owner rm takes the rights away again; the last maintainer cannot be removed', async () => {
    assert.equal((await npmOk(b, ['owner', 'rm', idA, NAME])).trim(), `- ${idA} (${NAME})`);
    const refused = await a.run(['publish', '--access', 'public'], await packageDir('1.2.0'));
    assert.match(refused.stderr, new RegExp(`PLEXUS_FORBIDDEN: ${idA} is not a maintainer of @a/plugin \\(maintainers: ${idB}\\)`));
    const last = await b.run(['owner', 'rm', idB, NAME], fx.dir);
    assert.notEqual(last.code, 0);
    assert.match(last.stderr, /Cannot remove all owners of a package/);
    assert.equal((await npmOk(a, ['owner', 'ls', NAME])).trim(), `${idB} <>`);
  });
});
