// WAL checkpoints off the writer's thread. SQLite's automatic checkpoint runs
// inside the commit that crosses the threshold, on the thread that commits:
// the engine's one writer, which is also the thread that routes events and
// talks to the sandbox. A checkpoint copies every page of the WAL into the
// database and syncs it, so it stalls that thread for the length of a disk
// flush. Here a worker thread with its own connection checkpoints (PASSIVE:
// it never blocks the writer, and the writer never waits for it) as the WAL
// grows; the writer keeps a far larger automatic threshold only as a
// backstop should this thread ever stop.
//
// Under a steady write load a PASSIVE checkpoint rarely catches up with the
// last commit, and SQLite syncs the database file only when one does. So the
// pages this thread copies pile up unsynced in the page cache, hundreds of
// megabytes of them, until the writer's backstop checkpoint must sync them
// all: a 40-130 ms stall of the main thread every few seconds at full load.
// This thread therefore flushes the database file itself after each pass
// that copied pages (fdatasync through a descriptor of its own: the kernel
// flushes a file's pages whichever descriptor asks). Durability does not
// rest on it (SQLite still syncs before the WAL can be reset); it only
// leaves little for that sync to wait for.
import { Worker } from 'node:worker_threads';

/** Pages in the WAL before the writer checkpoints on its own: only reached if the checkpointer has stopped. */
export const BACKSTOP_CHECKPOINT_PAGES = 50_000;
/** How often the checkpointer looks at the WAL. */
const INTERVAL_MS = 100;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const { fdatasyncSync, openSync, closeSync } = require('node:fs');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const dataVersion = db.prepare('PRAGMA data_version');
const file = openSync(workerData.path, 'r');
let stopped = false;
let backfilled = -1;
let version = -1;
const tick = () => {
  if (stopped) return;
  try {
    // Another connection committed since the last pass. The backfill count
    // alone cannot tell: after the WAL restarts, a write of the same size
    // ends at the same frame number as the one before it.
    const seen = dataVersion.get().data_version;
    const committed = seen !== version;
    version = seen;
    const { checkpointed } = checkpoint.get();
    if (checkpointed !== backfilled || committed) {
      backfilled = checkpointed;
      if (checkpointed > 0) {
        fdatasyncSync(file);
        parentPort.postMessage(checkpointed);
      }
    }
  } catch {}
  setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', () => { stopped = true; try { db.close(); closeSync(file); } catch {} parentPort.close(); });
tick();
`;

export class Checkpointer {
  readonly #worker: Worker;
  #flushes = 0;

  constructor(path: string) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs: INTERVAL_MS } });
    // A background helper: it must never keep the process alive, and its failure only hands checkpoints back to the writer.
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
    this.#worker.on('message', () => void this.#flushes++);
  }

  /** How many times this thread has flushed the database file after copying pages into it. */
  get flushes(): number {
    return this.#flushes;
  }

  async stop(): Promise<void> {
    this.#worker.postMessage('stop');
    await this.#worker.terminate();
  }
}
