// Token auth: parsing, identities that do not reveal the token, refusals,
// a read-only registry, and anonymous reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenAuth, bearerToken, identityKeyIn, identityOf, tokensFromEnv } from '../src/auth.ts';
import { pluginPackageJson, publish, request } from './helpers/packages.ts';
import { TOKEN, startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

const KEY = Buffer.alloc(32, 1);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('token auth', () => {
  it('PLEXUS_REGISTRY_TOKENS is comma-separated, blanks ignored', () => {
    assert.deepEqual(tokensFromEnv(' a , b,,c '), ['a', 'b', 'c']);
    assert.deepEqual(tokensFromEnv(undefined), []);
  });

  it('only "Bearer <token>" headers carry a token', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });

  it('accepts any configured token, refuses others and prefixes of them with PLEXUS_UNAUTHORIZED', () => {
    const auth = new TokenAuth(['first-token', 'second-token'], KEY);
    assert.equal(auth.authenticate('Bearer second-token'), identityOf('second-token', KEY));
    assert.equal(codeOf(() => auth.authenticate('Bearer second')), 'PLEXUS_UNAUTHORIZED');
    assert.equal(codeOf(() => auth.authenticate('Bearer second-token-and-more')), 'PLEXUS_UNAUTHORIZED');
    assert.equal(codeOf(() => auth.authenticate(undefined)), 'PLEXUS_UNAUTHORIZED');
  });

  it('identities are stable per token and do not contain it', () => {
    assert.equal(identityOf('secret-value', KEY), identityOf('secret-value', KEY));
    assert.notEqual(identityOf('secret-value', KEY), identityOf('other-value', KEY));
    assert.doesNotMatch(identityOf('secret-value', KEY), /secret/);
  });

  it('an identity is keyed by the registry: a plain digest of the token would let readers test guesses offline', async () => {
    const plain = `token-${createHash('sha256').update('plexus2024').digest('hex').slice(0, 12)}`;
    assert.notEqual(identityOf('plexus2024', KEY), plain);
    assert.notEqual(identityOf('plexus2024', KEY), identityOf('plexus2024', Buffer.alloc(32, 2)), 'another registry, another name');
    const storage = await mkdtemp(join(tmpdir(), 'plexus-identity-key-'));
    try {
      const key = identityKeyIn(storage);
      assert.equal(key.length, 32);
      assert.deepEqual(identityKeyIn(storage), key, 'made once, then read back: names survive restarts');
      assert.equal((await stat(join(storage, '.identity-key'))).mode & 0o777, 0o600);
    } finally {
      await rm(storage, { recursive: true, force: true });
    }
  });

  describe('over HTTP', () => {
    let fx: RegistryFixture;
    let readOnly: RegistryFixture;
    before(async () => {
      fx = await startFixture();
      readOnly = await startFixture({ tokens: [] });
    });
    after(async () => {
      await fx.close();
      await readOnly.close();
    });

    it('GET /-/whoami names the token, and is 401 without one', async () => {
      assert.deepEqual((await request(`${fx.url}/-/whoami`, { token: TOKEN })).body, { username: identityOf(TOKEN, identityKeyIn(fx.storage)) });
      const anonymous = await request(`${fx.url}/-/whoami`);
      assert.equal(anonymous.status, 401);
      assert.equal((anonymous.body as { code: string }).code, 'PLEXUS_UNAUTHORIZED');
      assert.equal(anonymous.headers.get('www-authenticate'), null, 'no WWW-Authenticate, so npm shows our message');
    });

    it('reads are anonymous, and a wrong token on a read is ignored', async () => {
      assert.equal((await publish(fx.url, pluginPackageJson('readable', '1.0.0'), TOKEN)).status, 201);
      assert.equal((await request(`${fx.url}/readable`)).status, 200);
      assert.equal((await request(`${fx.url}/readable`, { token: 'wrong' })).status, 200);
      assert.equal((await request(`${fx.url}/-/ping`)).status, 200);
    });

    it('a registry without tokens is read-only and says how to enable writes', async () => {
      const res = await publish(readOnly.url, pluginPackageJson('nope', '1.0.0'), TOKEN);
      assert.equal(res.status, 401);
      assert.match((res.body as { error: string }).error, /PLEXUS_UNAUTHORIZED: This registry has no write tokens configured \(set PLEXUS_REGISTRY_TOKENS\)/);
    });
  });
});
