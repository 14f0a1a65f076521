// Admin tokens (PLEXUS_REGISTRY_ADMIN_TOKENS): write tokens whose identities
// may write any package as its maintainers may, without being listed. Unit
// tests of auth and ownership, the same over HTTP, and what both start
// commands print about them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TokenAuth, identityOf, writeAccessSummary } from '../src/auth.ts';
import { assertMayWrite, nextMaintainers } from '../src/ownership.ts';
import { emptyPackument, withVersion, type VersionManifest } from '../src/packument.ts';
import { pluginPackageJson, publish, request, type HttpResult } from './helpers/packages.ts';
import { startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

const KEY = Buffer.alloc(32, 3);
const T0 = new Date('2026-01-01T00:00:00.000Z');
const ADMIN = { name: 'token-adminadmin00', admin: true };
const STRANGER = { name: 'token-stranger0000', admin: false };

function manifest(version: string): VersionManifest {
  return { name: 'pkg', version, dist: { integrity: 'sha512-x', shasum: 'x' } };
}

function errorOf(fn: () => unknown): { code?: string; message?: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message?: string };
  }
  assert.fail('expected a refusal');
}

describe('admin tokens', () => {
  describe('TokenAuth', () => {
    const auth = new TokenAuth(['writer', 'both'], KEY, ['admin', 'both']);

    it('an admin token is a write token: it authenticates as its identity, which is a user', () => {
      assert.equal(auth.authenticate('Bearer admin'), identityOf('admin', KEY));
      assert.equal(auth.isIdentity(identityOf('admin', KEY)), true);
      assert.equal(errorOf(() => auth.authenticate('Bearer admi')).code, 'PLEXUS_UNAUTHORIZED');
      assert.equal(errorOf(() => auth.authenticate('Bearer admin2')).code, 'PLEXUS_UNAUTHORIZED');
    });

    it('only identities of admin tokens are admins; a token in both lists is simply an admin', () => {
      assert.equal(auth.isAdmin(identityOf('admin', KEY)), true);
      assert.equal(auth.isAdmin(identityOf('both', KEY)), true);
      assert.equal(auth.isAdmin(identityOf('writer', KEY)), false);
      assert.equal(auth.isAdmin('token-000000000000'), false);
      assert.equal(auth.tokenCount, 3);
      assert.equal(auth.adminTokenCount, 2);
    });

    it('a registry with only admin tokens is not read-only', () => {
      assert.equal(new TokenAuth([], KEY, ['admin']).authenticate('Bearer admin'), identityOf('admin', KEY));
    });

    it('the start line counts write tokens once and says how many are admin', () => {
      assert.equal(writeAccessSummary(0, 0), 'read-only (set PLEXUS_REGISTRY_TOKENS to allow publishing)');
      assert.equal(writeAccessSummary(2, 0), '2 write token(s)');
      assert.equal(writeAccessSummary(3, 2), '3 write token(s), 2 of them admin');
    });
  });

  describe('ownership', () => {
    const owned = { name: 'pkg', maintainers: [{ name: 'token-maintainer00', email: '' }] };
    const isUser = (name: string): boolean => name === 'token-newowner0000';

    it('an admin may write a package it does not maintain; anyone else is told an admin can fix ownership', () => {
      assertMayWrite(owned, ADMIN);
      const refused = errorOf(() => assertMayWrite(owned, STRANGER));
      assert.equal(refused.code, 'PLEXUS_FORBIDDEN');
      assert.match(refused.message ?? '', /^token-stranger0000 is not a maintainer of pkg \(maintainers: token-maintainer00\); a maintainer can add you with: npm owner add token-stranger0000 pkg.*registry admin/);
    });

    it('an admin changes the maintainers of a package it does not maintain, but cannot leave none', () => {
      assert.deepEqual(nextMaintainers(owned, ['token-newowner0000'], ADMIN, isUser), [{ name: 'token-newowner0000', email: '' }]);
      assert.equal(errorOf(() => nextMaintainers(owned, [], ADMIN, isUser)).code, 'PLEXUS_INVALID_REQUEST');
      assert.equal(errorOf(() => nextMaintainers(owned, ['token-000000000000'], ADMIN, isUser)).code, 'PLEXUS_NOT_FOUND');
      assert.equal(errorOf(() => nextMaintainers(owned, ['token-newowner0000'], STRANGER, isUser)).code, 'PLEXUS_FORBIDDEN');
    });

    it("an admin's version of someone else's package leaves the maintainers as they are; its new package is its own", () => {
      const first = withVersion(emptyPackument('pkg', T0), manifest('1.0.0'), ['latest'], 'token-maintainer00', T0);
      const byAdmin = withVersion(first, manifest('1.1.0'), ['latest'], ADMIN.name, T0, true);
      assert.deepEqual(byAdmin.maintainers, [{ name: 'token-maintainer00', email: '' }]);
      assert.equal(errorOf(() => withVersion(first, manifest('1.2.0'), ['latest'], STRANGER.name, T0)).code, 'PLEXUS_FORBIDDEN');
      const created = withVersion(emptyPackument('pkg', T0), manifest('1.0.0'), ['latest'], ADMIN.name, T0, true);
      assert.deepEqual(created.maintainers, [{ name: ADMIN.name, email: '' }]);
    });
  });

  describe('over HTTP', () => {
    const WRITER = 'plain-writer-token-0123456789';
    const ADMIN_TOKEN = 'admin-token-abcdef0123456789';
    let fx: RegistryFixture;
    let idWriter: string;
    let idAdmin: string;
    const whoami = async (token: string): Promise<string> => ((await request(`${fx.url}/-/whoami`, { token })).body as { username: string }).username;
    const doc = async (name: string): Promise<{ _rev: string; maintainers: { name: string }[] }> =>
      (await request(`${fx.url}/${name}`)).body as { _rev: string; maintainers: { name: string }[] };
    const setOwners = async (token: string, name: string, names: string[]): Promise<HttpResult> => {
      const { _rev: rev } = await doc(name);
      return request(`${fx.url}/${name}/-rev/${encodeURIComponent(rev)}`, { method: 'PUT', token, body: { _id: name, _rev: rev, maintainers: names.map((n) => ({ name: n, email: '' })) } });
    };

    before(async () => {
      fx = await startFixture({ tokens: [WRITER], adminTokens: [ADMIN_TOKEN] });
      idWriter = await whoami(WRITER);
      idAdmin = await whoami(ADMIN_TOKEN);
      assert.equal((await publish(fx.url, pluginPackageJson('owned', '1.0.0'), WRITER)).status, 201);
    });
    after(() => fx?.close());

    it("the admin publishes, tags and changes owners of the writer's package; the maintainers stay the writer's", async () => {
      assert.equal((await publish(fx.url, pluginPackageJson('owned', '1.1.0'), ADMIN_TOKEN)).status, 201);
      assert.equal((await request(`${fx.url}/-/package/owned/dist-tags/stable`, { method: 'PUT', token: ADMIN_TOKEN, body: '1.0.0' })).status, 200);
      assert.deepEqual((await doc('owned')).maintainers.map((m) => m.name), [idWriter]);
      assert.equal((await setOwners(ADMIN_TOKEN, 'owned', [idWriter, idAdmin])).status, 200);
      assert.deepEqual((await doc('owned')).maintainers.map((m) => m.name), [idWriter, idAdmin]);
      assert.equal((await setOwners(ADMIN_TOKEN, 'owned', [idWriter])).status, 200);
    });

    it('the admin cannot leave a package without a maintainer', async () => {
      const empty = await setOwners(ADMIN_TOKEN, 'owned', []);
      assert.equal(empty.status, 400, JSON.stringify(empty.body));
      assert.match((empty.body as { error: string }).error, /PLEXUS_INVALID_REQUEST: .*cannot be left without a maintainer/);
      assert.deepEqual((await doc('owned')).maintainers.map((m) => m.name), [idWriter]);
    });

    it("the writer still may not write the admin's own package", async () => {
      assert.equal((await publish(fx.url, pluginPackageJson('admins', '1.0.0'), ADMIN_TOKEN)).status, 201);
      assert.deepEqual((await doc('admins')).maintainers.map((m) => m.name), [idAdmin]);
      const refused = await publish(fx.url, pluginPackageJson('admins', '1.1.0'), WRITER);
      assert.equal(refused.status, 403);
      assert.match((refused.body as { message: string }).message, /registry admin/);
    });
  });

  describe('start lines', () => {
    const env = { ...process.env, PLEXUS_REGISTRY_TOKENS: 'w1,both', PLEXUS_REGISTRY_ADMIN_TOKENS: 'both,adm', PLEXUS_LOG_LEVEL: 'warn' };

    async function firstLine(args: string[], pattern: RegExp, stream: 'stdout' | 'stderr'): Promise<{ line: string; whoami: number }> {
      const dir = await mkdtemp(join(tmpdir(), 'plexus-registry-admin-'));
      const child = spawn(process.execPath, [...args, '--port', '0', '--storage', join(dir, 'store')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = '';
          child[stream].on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = pattern.exec(out);
            if (match) resolve(match[0]);
          });
          child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
        });
        const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
        const whoami = (await fetch(`${url}/-/whoami`, { headers: { authorization: 'Bearer adm' } })).status;
        return { line, whoami };
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        await rm(dir, { recursive: true, force: true });
      }
    }

    it('plexus-registry reads PLEXUS_REGISTRY_ADMIN_TOKENS and says how many tokens are admin', async () => {
      const bin = fileURLToPath(new URL('../bin/plexus-registry.js', import.meta.url));
      const child = await firstLine([bin], /plexus-registry listening on [^\n]*(?=\n)/, 'stdout');
      assert.match(child.line, /\(storage .*; 3 write token\(s\), 2 of them admin\)$/);
      assert.equal(child.whoami, 200);
    });

    it('plexus registry start reads PLEXUS_REGISTRY_ADMIN_TOKENS and says how many tokens are admin', async () => {
      const bin = fileURLToPath(new URL('../../bin/plexus.js', import.meta.url));
      const child = await firstLine([bin, 'registry', 'start'], /plexus: registry on [^\n]*(?=\n)/, 'stderr');
      assert.match(child.line, /\(storage .*; 3 write token\(s\), 2 of them admin\)$/);
      assert.equal(child.whoami, 200);
    });
  });
});
