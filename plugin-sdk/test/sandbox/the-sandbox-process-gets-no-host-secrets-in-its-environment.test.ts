// Plugin code cannot read process.env (it runs in isolates), but the sandbox
// process around it inherited the host's whole environment: the admin token,
// broker passwords and every secret an operator passes as an environment
// variable would be there for anything that escaped an isolate. The sandbox
// process now gets only what Node and ICU use (PATH, locale, time zone,
// Node's own settings), so an escape finds no host secret.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { MAX_LOOKUPS_PER_THREAD } from '../../src/capabilities/fetch-lookup-turns.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const SECRET = 'host-secret-value-7f3a9c';
const sandbox = new SandboxFixture();
before(async () => {
  process.env.PLEXUS_ADMIN_TOKEN = SECRET;
  process.env.MY_BROKER_PASSWORD = SECRET;
  process.env.TZ = 'Europe/Paris';
  await sandbox.start();
});
after(() => sandbox.stop());

test("the sandbox process's environment holds no host secret, and keeps the time zone", { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const pid = sandbox.pool.pid;
  assert.ok(pid !== undefined, 'the sandbox process runs');
  const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  assert.ok(!environ.some((entry) => entry.includes(SECRET)), 'no host secret in the sandbox environment');
  assert.ok(!environ.some((entry) => entry.startsWith('PLEXUS_ADMIN_TOKEN=')));
  assert.ok(environ.includes('TZ=Europe/Paris'), 'the time zone plugins see is the host\'s');
});

test('the sandbox process gets a libuv pool large enough that hung DNS lookups leave threads for files and crypto', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const environ = (await readFile(`/proc/${sandbox.pool.pid}/environ`, 'utf8')).split('\0');
  const size = Number(environ.find((entry) => entry.startsWith('UV_THREADPOOL_SIZE='))?.split('=')[1]);
  // Each worker lets MAX_LOOKUPS_PER_THREAD lookups run; libuv gives slow work like getaddrinfo half the pool.
  assert.ok(size >= 2 * MAX_LOOKUPS_PER_THREAD * (await sandbox.pool.stats()).threads, `UV_THREADPOOL_SIZE is ${size}`);
});
