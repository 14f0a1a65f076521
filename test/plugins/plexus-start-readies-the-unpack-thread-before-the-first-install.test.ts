// A host as `plexus start` runs it (admin API up, so installs can come at any
// time) starts its unpack thread at once, at the lowest priority, rather than
// making the first install wait for it to load; installs then use that thread.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { canReadThreadNices, threadNicesById } from '../../plugin-sdk/test/fixtures/thread-nices.ts';
import { startHostRuntime } from '../../src/cli/host-runtime.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import { writePluginFolder } from './plugin-packages.ts';

const lowestPriorityThreads = () => [...threadNicesById(process.pid)].filter(([, nice]) => nice === 19).map(([tid]) => tid);

test('plexus start brings the unpack thread up before any install, and installs run on it', { skip: !canReadThreadNices && 'thread priorities are read from Linux /proc' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-start-unpack-'));
  const file = join(dir, 'plexus.yaml');
  await writeFile(file, 'stateDir: ./state\nlisten: 127.0.0.1:0\nadminListen: 127.0.0.1:0\nadminToken: start-unpack-token-0123456789\n');
  assert.deepEqual(lowestPriorityThreads(), [], 'no thread of this process runs at nice 19 before');
  const own = getPriority();
  const runtime = await startHostRuntime({ loaded: await loadConfig({ file, env: {} }), logger: new RecordingLogger() });
  try {
    let lowered: number[] = [];
    for (let waited = 0; lowered.length === 0 && waited < 10_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      lowered = lowestPriorityThreads();
    }
    assert.equal(lowered.length, 1, 'the unpack thread is up, at nice 19, with no install asked for');
    assert.equal(getPriority(), own, 'the host thread keeps its priority');
    const folder = await writePluginFolder(dir, { name: '@acme/early', version: '1.0.0' });
    const change = await runtime.host.pluginManager.install({ spec: folder });
    assert.equal(change.change, 'installed');
    assert.deepEqual(lowestPriorityThreads(), lowered, 'the install ran on the thread started ahead of it');
  } finally {
    await runtime.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
