// A reliable list queue: items move atomically (LMOVE / BLMOVE) from the
// list into this consumer's processing list, and are removed from there
// (LREM) only after onSettled (CONTRACT §6). Whatever a crash or a lost
// connection leaves in the processing list is taken again when the next
// session starts. Several hosts share a list naturally: each moves items into
// its own processing list (named after its consumer name, stable across
// restarts so a restarted host finds its own leftovers).
//
// Items are taken in batches by a small script (up to batchSize LMOVEs in one
// round trip); BLMOVE blocks only when the list is empty.
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

const MOVE_BATCH = `local out = {}
for i = 1, tonumber(ARGV[2]) do
  local item = redis.call('LMOVE', KEYS[1], KEYS[2], ARGV[1], 'RIGHT')
  if not item then break end
  out[i] = item
end
return out`;
const BLOCK_SEC = 1;

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
      if (items.length > 0) this.#take(items);
    }
  }

  /** Items left in the processing list by an earlier run, minus those still held here. */
  async #recover(run: ConsumerRun): Promise<void> {
    // No removal goes out while LRANGE reads the list: one sent meanwhile
    // would have left #toRemove, yet its item could still be in the reply,
    // and it would be taken (and run) a second time. Removals queue instead.
    while (this.#flushing) await new Promise((resolve) => setTimeout(resolve, 5));
    this.#flushing = true;
    let left: unknown;
    try {
      left = await run.commands.callBuffer('LRANGE', [this.processingKey, 0, -1]);
    } finally {
      this.#flushing = false;
      if (this.#toRemove.length > 0) this.#scheduleFlush();
    }
    const held = new Map(this.#inFlight);
    for (const item of this.#toRemove) held.set(item, (held.get(item) ?? 0) + 1);
    const recovered: string[] = [];
    for (const item of itemsOf(left)) {
      const count = held.get(item) ?? 0;
      if (count > 0) held.set(item, count - 1);
      else recovered.push(item);
    }
    this.#stats.recovered += recovered.length;
    if (recovered.length > 0) this.#take(recovered);
  }

  #take(items: readonly string[]): void {
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
          if (this.#run?.active) this.#take([item]);
        },
      };
    });
    void this.#intake.take(messages);
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
          // 0 removed: the item is no longer there (an operator cleared the list); nothing is left to retry.
        } catch (err) {
          // Retried as a whole later. (If the reply, not the command, was lost, the retry can remove an
          // equal item another message holds: list items carry no id. Streams do; prefer them.)
          this.#toRemove.push(...batch);
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
