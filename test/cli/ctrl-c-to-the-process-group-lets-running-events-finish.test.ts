// Ctrl-C in a terminal, and systemd's stop (KillMode=control-group), signal
// the host's whole process group, its sandbox process included. The sandbox
// used to die on that signal at once: the event a plugin was running was
// charged as a sandbox crash (retried or dead-lettered) and no cleanup hook
// ran. Only the host may stop the sandbox, after letting running events end.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startPlexus } from '../helpers/plexus-process.ts';
import { installSlowPlugin } from './slow-plugin-fixture.ts';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} to the process group: the running event finishes, nothing is charged as a crash, exit 0`, { timeout: 120_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'plexus-group-'));
    try {
      await installSlowPlugin(stateDir, 1500, 'slow event done');
      const host = await startPlexus(stateDir, { processGroup: true });
      assert.equal((await host.emit({ type: 'slow.created', data: {} })).status, 202);
      // The plugin is inside its 1.5 s loop when the group gets the signal.
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(await host.stop(signal), 0, host.stderr());
      const logs = host.logs();
      assert.deepEqual(logs.filter((l) => /sandbox process died|dead-lettered|attempt failed/.test(l.msg)).map((l) => l.msg), []);
      assert.ok(logs.some((l) => l.msg === 'slow event done'), 'the running event finished');
      assert.ok(logs.some((l) => l.msg === 'stopped'));
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
}
