// A reliable list queue: items move atomically (LMOVE / BLMOVE) from the
// list into this consumer's processing list, and are removed from there
// (LREM) only after onSettled (CONTRACT §6). Whatever a crash or a lost
// connection leaves in the processing list is taken again when the next
// session starts. Several hosts share a list naturally: each moves items into
// its own processing list (named after its consumer name, stable across
// restarts so a restarted host finds its own leftovers).
//
// Items are taken in batches by a small script (up to batchSize LMOVEs in one
// round trip); BLMOVE blocks only when the list is empty. The processing list
// is recovered in pages (batchSize items, RECOVERY_PAGE_BYTES), each accepted
// before the next is read: a crash can leave it far larger than memory.
//
// Items are handled as the bytes Redis holds: LREM must name an item byte
// for byte, and an item that is not UTF-8, decoded to text and back, named
// nothing: it stayed in the processing list and ran again at every restart.
// Inside, an item is a latin1 string (one char per byte, exact both ways),
// so it can key the in-flight multiset.
import type { Redis } from 'ioredis';
import type { RedisListConfig } from '../broker-config.ts';
import type { DepthReading } from '../broker-depth.ts';
import type { BrokerIntake } from '../broker-intake.ts';
import { PendingCount } from '../broker-pending.ts';
import type { BrokerMessage } from '../broker-message.ts';
import type { BrokerStats } from '../broker-stats.ts';
import { decodeBytes } from './redis-entry.ts';
import type { ConsumerRun } from './redis-session.ts';
import { sourceOf } from '../source-name.ts';
import { READ_PAGE, RecoveryCursor } from './redis-list-recovery.ts';

const MOVE_BATCH = `local out = {}
for i = 1, tonumber(ARGV[2]) do
  local item = redis.call('LMOVE', KEYS[1], KEYS[2], ARGV[1], 'RIGHT')
  if not item then break end
  out[i] = item
end
return out`;
const BLOCK_SEC = 1;
/** Bytes of items one recovery page holds at most (an item larger than this is a page of its own). */
export const RECOVERY_PAGE_BYTES = 4 * 1024 * 1024;

export class RedisListConsumer {
  readonly source: string;
  readonly processingKey: string;
  readonly #config: RedisListConfig;
  readonly #intake: BrokerIntake;
  readonly #stats: BrokerStats;
  /** Items held here (a multiset: equal items are distinct messages). Survives sessions. */
  readonly #inFlight = new Map<string, number>();
  /** Items of this list held in the host (its own maxInFlight, whatever else the source consumes). */
  readonly #pending = new PendingCount();
  /** Settled items whose LREM has not been confirmed. Survives sessions. */
  #toRemove: string[] = [];
  #run: ConsumerRun | undefined;
  #flushing = false;
  #flushAgain = false;
  /** Set while a recovery reads the processing list page by page: removals move its cursor. */
  #recovery: RecoveryCursor | undefined;

  constructor(config: RedisListConfig, consumer: string, intake: BrokerIntake, stats: BrokerStats) {
    this.source = sourceOf('redis/list:', config.key);
    this.processingKey = config.processingKey ?? `${config.key}:processing:${consumer}`;
    this.#config = config;
    this.#intake = intake;
    this.#stats = stats;
  }

  /** Sends the acknowledgements still queued, after any flush in progress. */
  async flush(): Promise<void> {
    // A short sleep, not setImmediate: a flush stuck on a dead socket must not spin the CPU while it waits.
    while (this.#flushing) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.#flushRemovals();
  }

  /** Items waiting in the list (those taken are in the processing list and counted as unacked). */
  async depth(commands: Redis): Promise<readonly DepthReading[]> {
    return [{ source: this.source, metric: 'list_length', value: Number(await commands.call('LLEN', [this.#config.key])) }];
  }

  async run(run: ConsumerRun): Promise<void> {
    this.#run = run;
    const { key, batchSize, maxInFlight, end } = this.#config;
    const from = end === 'left' ? 'LEFT' : 'RIGHT';
    await this.#flushRemovals();
    await this.#recover(run);
    while (run.active) {
      await Promise.race([this.#pending.below(maxInFlight), run.stopped]);
      if (!run.active) break;
      const moved = await run.reader.callBuffer('EVAL', [MOVE_BATCH, 2, key, this.processingKey, from, batchSize]);
      let items = itemsOf(moved);
      if (items.length === 0) items = itemsOf(await run.reader.callBuffer('BLMOVE', [key, this.processingKey, from, 'RIGHT', BLOCK_SEC]));
      if (items.length > 0) void this.#take(items);
    }
  }

  /**
   * Items left in the processing list by an earlier run, minus those still
   * held here, page after page from the left: each page is taken (durable in
   * the host) before the next is read, and no sooner than maxInFlight allows.
   * Items settled meanwhile leave the list between pages; the cursor follows.
   */
  async #recover(run: ConsumerRun): Promise<void> {
    const cursor = new RecoveryCursor();
    this.#recovery = cursor;
    try {
      while (run.active) {
        await Promise.race([this.#pending.below(this.#config.maxInFlight), run.stopped]);
        if (!run.active) return;
        const page = await this.#readPage(run, cursor);
        // Not taken once the session stops: they stay in the list for the next one.
        if (page === undefined || !run.active) return;
        this.#stats.recovered += page.length;
        if (page.length > 0) await Promise.race([this.#take(page), run.stopped]);
      }
    } finally {
      // A stopped session's recovery may end after the next session's began.
      if (this.#recovery === cursor) this.#recovery = undefined;
    }
  }

  /** The next page's items not held here; undefined once the list is read to its end. */
  async #readPage(run: ConsumerRun, cursor: RecoveryCursor): Promise<string[] | undefined> {
    // No removal goes out while a page is read: one sent meanwhile would
    // have left #toRemove, yet its item could still be in the reply, and it
    // would be taken (and run) a second time; and the cursor could not tell
    // whether the page starts before or after its removal. Removals queue instead.
    while (this.#flushing) await new Promise((resolve) => setTimeout(resolve, 5));
    this.#flushing = true;
    try {
      // A removal whose reply was lost may or may not have shifted the list: start over in a new session.
      if (cursor.broken) throw new Error('a removal failed while the processing list was recovered');
      const items = itemsOf(await run.commands.callBuffer('EVAL', [READ_PAGE, 1, this.processingKey, cursor.next, this.#config.batchSize, RECOVERY_PAGE_BYTES]));
      if (items.length === 0) return undefined;
      // Every item read so far is held here (in flight, or settled and not yet removed, or taken now):
      // an item is one more held one while equal items held outnumber the equal items read before it.
      const held = new Map<string, number>();
      for (const item of this.#toRemove) held.set(item, (held.get(item) ?? 0) + 1);
      const recovered: string[] = [];
      for (const item of items) {
        const count = (this.#inFlight.get(item) ?? 0) + (held.get(item) ?? 0);
        if (count <= cursor.seenOf(item)) {
          recovered.push(item);
          held.set(item, (held.get(item) ?? 0) + 1);
        }
        cursor.read(item);
      }
      return recovered;
    } finally {
      this.#flushing = false;
      if (this.#toRemove.length > 0) this.#scheduleFlush();
    }
  }

  /** Resolves once the host holds the items durably (or gave them back). */
  #take(items: readonly string[]): Promise<void> {
    const now = Date.now();
    const messages: BrokerMessage[] = items.map((item) => {
      this.#inFlight.set(item, (this.#inFlight.get(item) ?? 0) + 1);
      this.#pending.add();
      const { decoded, body, contentType } = decodeBytes(Buffer.from(item, 'latin1'), { source: this.source, now, ...(this.#config.type === undefined ? {} : { type: this.#config.type }) });
      const done = () => {
        this.#release(item);
        this.#removeLater(item);
        return true;
      };
      return {
        decoded, source: this.source, body, contentType,
        ack: done,
        refuse: () => void done(),
        release: () => {
          this.#release(item);
          // Still in the processing list: take it again while running, else the next session recovers it.
          if (this.#run?.active) void this.#take([item]);
        },
      };
    });
    return this.#intake.take(messages);
  }

  #release(item: string): void {
    this.#pending.done();
    const count = (this.#inFlight.get(item) ?? 1) - 1;
    if (count > 0) this.#inFlight.set(item, count);
    else this.#inFlight.delete(item);
  }

  #removeLater(item: string): void {
    this.#toRemove.push(item);
    this.#scheduleFlush();
  }

  /** Removes what is queued at the end of this turn, or right after the flush in progress. */
  #scheduleFlush(): void {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = true;
    setImmediate(() => void this.#flushRemovals());
  }

  async #flushRemovals(): Promise<void> {
    this.#flushing = true;
    try {
      do {
        this.#flushAgain = false;
        const commands = this.#run?.commands;
        if (!commands || this.#toRemove.length === 0) return;
        const batch = this.#toRemove;
        this.#toRemove = [];
        try {
          // MULTI: all removals or none, so a retry never removes twice.
          const transaction = commands.multi();
          for (const item of batch) transaction.lrem(this.processingKey, 1, Buffer.from(item, 'latin1'));
          const results = await transaction.exec();
          if (results === null || results.some(([err]) => err !== null)) throw new Error('LREM failed');
          results.forEach(([, removed], i) => {
            if (removed === 1) this.#recovery?.removed(batch[i] as string);
          });
          // 0 removed: the item is no longer there (an operator cleared the list); nothing is left to retry.
        } catch (err) {
          // Retried as a whole later. (If the reply, not the command, was lost, the retry can remove an
          // equal item another message holds: list items carry no id. Streams do; prefer them.)
          this.#toRemove.push(...batch);
          if (this.#recovery) this.#recovery.broken = true;
          throw err;
        }
      } while (this.#flushAgain);
    } catch {
      // The connection is gone; the next session removes these first.
    } finally {
      this.#flushing = false;
    }
  }
}

/** Items from a Buffer reply (one item, an array of them, or nil) as latin1 strings, byte for byte. */
function itemsOf(reply: unknown): string[] {
  if (Buffer.isBuffer(reply)) return [reply.toString('latin1')];
  if (!Array.isArray(reply)) return [];
  return reply.filter((item): item is Buffer => Buffer.isBuffer(item)).map((item) => item.toString('latin1'));
}
