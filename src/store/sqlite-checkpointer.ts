// WAL checkpoints off the writer's thread. SQLite's automatic checkpoint runs
// inside the commit that crosses the threshold, on the thread that commits:
// the engine's one writer, which is also the thread that routes events and
// talks to the sandbox. A checkpoint copies every page of the WAL into the
// database and syncs it, so it stalls that thread for the length of a disk
// flush. Here a worker thread with its own connection checkpoints (PASSIVE:
// it never blocks the writer, and the writer never waits for it) as the WAL
// grows; the writer keeps a far larger automatic threshold only as a
// backstop should this thread ever stop.
import { Worker } from 'node:worker_threads';

/** Pages in the WAL before the writer checkpoints on its own: only reached if the checkpointer has stopped. */
export const BACKSTOP_CHECKPOINT_PAGES = 50_000;
/** How often the checkpointer looks at the WAL. */
const INTERVAL_MS = 100;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 0');
let stopped = false;
const tick = () => {
  if (stopped) return;
  try { db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get(); } catch {}
  setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', () => { stopped = true; try { db.close(); } catch {} parentPort.close(); });
tick();
`;

export class Checkpointer {
  readonly #worker: Worker;

  constructor(path: string) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs: INTERVAL_MS } });
    // A background helper: it must never keep the process alive, and its failure only hands checkpoints back to the writer.
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
  }

  async stop(): Promise<void> {
    this.#worker.postMessage('stop');
    await this.#worker.terminate();
  }
}
