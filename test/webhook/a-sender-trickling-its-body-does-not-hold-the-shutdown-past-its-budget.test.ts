// A stop waits for webhook requests in flight, each answered once durable.
// It used to wait for them with no limit of its own: a sender trickling its
// body held the stop past shutdownTimeoutMs (over 3 minutes in a run without
// this fix, until it was killed: the request timeout is no longer checked once
// the server closes), so `plexus start` force-exited before the host's stop
// ran its cleanup hooks and closed the store. The request now gets until the budget ends; then its
// connection is closed (the sender retries it; nothing was accepted).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHostRuntime } from '../../src/cli/host-runtime.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const BUDGET_MS = 1500;

test('a webhook request whose body never finishes is cut at the shutdown deadline, and the stop completes', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-webhook-budget-'));
  const file = join(dir, 'plexus.yaml');
  await writeFile(file, `stateDir: ./state\nlisten: 127.0.0.1:0\nadminListen: 127.0.0.1:0\nadminToken: webhook-budget-token-0123456789\nshutdownTimeoutMs: ${BUDGET_MS}
webhooks:
  slow:
    signature: { scheme: github, secrets: ["budget-secret"] }
    type: { from: header, header: X-GitHub-Event }
`);
  const logger = new RecordingLogger();
  const runtime = await startHostRuntime({ loaded: await loadConfig({ file, env: {} }), logger });
  try {
    const url = new URL((logger.lines.find((l) => l.message === 'webhook listener listening')?.fields as { url: string }).url);
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    socket.on('error', () => undefined);
    socket.write('POST /hooks/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-GitHub-Event: push\r\n\r\n{"partial":');
    const closed = once(socket, 'close');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    await runtime.stop();
    const took = Date.now() - started;
    assert.ok(took < BUDGET_MS + 1000, `the stop took ${took} ms with shutdownTimeoutMs ${BUDGET_MS}`);
    await closed;
    await assert.rejects(runtime.host.accept([]), { code: 'PLEXUS_UNAVAILABLE' }, 'the host itself stopped');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
