// Batches of one plugin on one instance run one at a time in its isolate:
// a CPU-bound plugin whose concurrency exceeds the worker count queues 2+
// batches there. The watchdog counted a batch's wait behind the others (and
// behind the worker thread held by a sync batch) as its own running time,
// fired although the batch then finished in time, and its dispose, never
// cancelled, ended the isolate under every other batch on it
// (PLEXUS_SANDBOX_CRASHED "Isolate is disposed", restart cause `crash`).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

const LANES = 8; // the plugin's concurrency: 4 batches at once on each of the 2 workers
const BATCH = 6;
const EVENT_MS = 150; // a batch runs ~900 ms of its 2000 ms limit; four queued wait far longer
const RUN_MS = 10_000;

test('a CPU-bound plugin with more batches than workers is neither timed out nor crashed by its own backlog', async () => {
  const spec = await sandbox.spec({
    name: 'cpu-backlog',
    limits: { timeoutMs: 2000 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() { const end = Date.now() + ${EVENT_MS}; while (Date.now() < end) {} } });`,
  });
  const codes = new Map<string, number>();
  const causes = new Map<string, number>();
  const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const until = Date.now() + RUN_MS;
  const lane = async () => {
    while (Date.now() < until) {
      const events = Array.from({ length: BATCH }, () => ({ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.cpu', data: {} }));
      const result = await sandbox.pool.run(spec, events);
      for (const outcome of result.outcomes) bump(codes, outcome.ok ? 'ok' : String(outcome.error.code));
      for (const restart of result.restarts) bump(causes, restart.cause);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  assert.deepEqual(Object.fromEntries(causes), {}, 'no restart of any cause');
  assert.deepEqual([...codes.keys()], ['ok'], JSON.stringify(Object.fromEntries(codes)));
  assert.ok((codes.get('ok') ?? 0) >= LANES * BATCH, 'every lane ran batches');
});

test('a never-settling batch queued behind busy batches of its instance is still ended at its limit', async () => {
  const spec = await sandbox.spec({
    name: 'hang-in-backlog',
    limits: { timeoutMs: 500 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute(event) { if (event.data.hang) await new Promise(() => {}); const end = Date.now() + 200; while (Date.now() < end) {} } });`,
  });
  const batch = (hang: boolean) => sandbox.pool.run(spec, [{ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.cpu', data: { hang } }]);
  const started = Date.now();
  const results = await Promise.all([batch(false), batch(false), batch(false), batch(false), batch(true), batch(false)]);
  const hung = results[4]?.outcomes[0];
  assert.equal(!hung?.ok && hung?.error.code, 'PLEXUS_TIMEOUT', JSON.stringify(hung));
  assert.ok(Date.now() - started < 10_000, 'bounded in time');
});
