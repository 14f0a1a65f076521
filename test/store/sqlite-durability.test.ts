// A batch whose promise resolved survives a SIGKILL of the process
// (WAL + synchronous=NORMAL: the commit is in the WAL file before the promise
// resolves), and a batch is never half there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { withDatabaseFile } from './conformance-helpers.ts';
const BATCH = 200;
const CHILD = fileURLToPath(new URL('./durability-child.ts', import.meta.url));

/** Runs the child until `onLine` answers true (then SIGKILLs it) or it dies; resolves with its exit signal. */
function runChild(db: string, mode: 'once' | 'stream', onLine: (line: string) => boolean): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, db, mode, String(BATCH)], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (onLine(line)) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve(signal));
  });
}

test('a batch is there after the process is SIGKILLed right after its promise resolved', () => withDatabaseFile(async (db) => {
  let committed = false;
  const signal = await runChild(db, 'once', (line) => {
    committed ||= line === 'committed';
    return false;
  });
  assert.equal(signal, 'SIGKILL');
  assert.ok(committed, 'the child reported its commit before dying');
  const store = SqliteStore.open(db);
  try {
    const journal = await store.readJournal({ from: 0, limit: BATCH * 2 });
    assert.equal(journal.length, BATCH);
    assert.deepEqual((await store.pending()).map((d) => d.id), Array.from({ length: BATCH / 2 }, (_, i) => `b0-${i + BATCH / 2}`).sort());
  } finally {
    await store.close();
  }
}));

test('SIGKILL during a stream of batches: every acknowledged batch is whole, no batch is partial', () => withDatabaseFile(async (db) => {
  let acknowledged = -1;
  const signal = await runChild(db, 'stream', (line) => {
    acknowledged = Number(line);
    return acknowledged >= 15;
  });
  assert.equal(signal, 'SIGKILL');
  const store = SqliteStore.open(db);
  try {
    const perBatch = new Map<number, number>();
    for (const entry of await store.readJournal({ from: 0, limit: 1_000_000 })) {
      const n = Number(entry.event.id.slice(1, entry.event.id.indexOf('-')));
      perBatch.set(n, (perBatch.get(n) ?? 0) + 1);
    }
    const present = [...perBatch.keys()].sort((a, b) => a - b);
    assert.ok(present.length > acknowledged, `batches 0..${acknowledged} were acknowledged, ${present.length} found`);
    assert.deepEqual(present, present.map((_, i) => i), 'committed batches form a prefix');
    assert.ok([...perBatch.values()].every((n) => n === BATCH), 'no batch is partially there');
    assert.equal((await store.pending()).length, present.length * BATCH);
  } finally {
    await store.close();
  }
}));
