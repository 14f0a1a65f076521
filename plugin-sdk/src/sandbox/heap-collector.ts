// Full garbage collections of a plugin instance's isolate, asked for before
// each part of a batch run in parts after the first (worker-runtime.ts).
import type ivm from 'isolated-vm';
import type { SyncCallSlot } from './sync-call-watch.ts';
import { SMALL_CALL_MS } from './boot-isolate.ts';

/** collect asks for a buffer this many MB past memoryMb: more than isolated-vm's slack over memoryLimit (its young generation, 48 MB at most). */
const GC_REQUEST_EXTRA_MB = 64;

export class HeapCollector {
  readonly #isolate: ivm.Isolate;
  readonly #memoryMb: number;
  /** A realm of its own in this isolate: never the plugin's, whose globals plugin code can replace. */
  #realm: Promise<ivm.Context> | undefined;

  constructor(isolate: ivm.Isolate, memoryMb: number) {
    this.#isolate = isolate;
    this.#memoryMb = memoryMb;
  }

  /**
   * A full collection. isolated-vm has no call for one, but its ArrayBuffer
   * allocator collects everything (LowMemoryNotification) before refusing a
   * buffer that cannot fit: asked for one past the limit, in a realm plugin
   * code cannot reach.
   *
   * Made as a sync call whenever nothing else is running on the isolate.
   * isolated-vm runs an isolate's async calls back to back under one V8
   * HandleScope, released only once its thread finds no call queued, and
   * each call's arguments are handles in it: a part's 2 MB copy of its events
   * (an external string, counted by memoryLimit) stayed live through the next
   * parts while the host kept the isolate busy. On a loaded machine three
   * parts' copies (6 MB, measured) outlived every collection asked for async,
   * and the fourth copy ended an 8 MB isolate for memory: an event that fitted
   * was charged PLEXUS_OUT_OF_MEMORY. A sync call takes the isolate's lock
   * only after that loop ended, so the collection finds those copies garbage.
   * Not while calls of ours run or answers may still run (`syncSafe` says
   * so): the wait for the lock would hold this thread behind plugin code
   * (HostCallGate.syncSafe). `syncCalls`: where this worker reports its sync calls.
   */
  async collect(syncSafe: () => boolean, syncCalls: SyncCallSlot | undefined): Promise<void> {
    if (this.#isolate.isDisposed) return;
    const request = `try { new ArrayBuffer(${(this.#memoryMb + GC_REQUEST_EXTRA_MB) * 1024 * 1024}); } catch {}`;
    try {
      this.#realm ??= this.#isolate.createContext();
      const realm = await this.#realm;
      if (!syncSafe()) {
        await realm.eval(request, { timeout: SMALL_CALL_MS });
        return;
      }
      syncCalls?.begin(SMALL_CALL_MS);
      try {
        realm.evalSync(request, { timeout: SMALL_CALL_MS });
      } finally {
        syncCalls?.end();
      }
    } catch {
      // Disposed meanwhile, or the isolate is gone for memory: the next part finds it so and is handled there.
    }
  }
}
