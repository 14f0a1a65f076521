// Plugin code cannot read process.env (it runs in isolates), but the sandbox
// process around it inherited the host's whole environment: the admin token,
// broker passwords and every secret an operator passes as an environment
// variable would be there for anything that escaped an isolate. The sandbox
// process now gets only what Node and ICU use (PATH, locale, time zone,
// Node's own settings), so an escape finds no host secret.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
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
