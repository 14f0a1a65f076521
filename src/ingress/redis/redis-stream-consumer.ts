// One stream read through a consumer group. Per session: create the group if
// needed (MKSTREAM; one deleted while consumed is recreated after the last
// entry this consumer took, redis-stream-group.ts), send the acks the last session could not, re-read this
// consumer's own pending entries (XREADGROUP from 0: taken before a crash or
// a lost connection, never acknowledged), then XREADGROUP batches of new
// entries (`>`) while fewer than maxInFlight are pending in the host.
// XACK goes out, batched, only after onSettled (CONTRACT §6).
//
// Competing consumers: every host reads the same group under its own consumer
// name, so Redis hands each entry to one of them. A host that dies leaves its
// entries pending; every claimIdleMs/2 each host XAUTOCLAIMs entries idle for
// longer than claimIdleMs. So that a slow but live host is not robbed, the
// entries it still holds are re-claimed by itself (XCLAIM JUSTID, which
// resets their idle time) well before they become claimable.
import type { Redis } from 'ioredis';
import type { RedisStreamConfig } from '../broker-config.ts';
import type { BrokerIntake } from '../broker-intake.ts';
import { PendingCount } from '../broker-pending.ts';
import type { BrokerMessage } from '../broker-message.ts';
import type { DepthReading } from '../broker-depth.ts';
import type { BrokerStats } from '../broker-stats.ts';
import { decodeStreamEntry } from './redis-entry.ts';
import { mayHoldBytes, withExactBytes } from './redis-stream-bytes.ts';
import { parseClaim, parseEntries, parseGroupInfo, type StreamEntry } from './redis-stream-replies.ts';
import { hasFields, StreamMessage, type StreamEntryOwner } from './redis-stream-message.ts';
import { createGroup, laterEntryId } from './redis-stream-group.ts';
import type { HostLogger } from '../../observability/host-logger.ts';
import type { ConsumerRun } from './redis-session.ts';
import { sourceOf } from '../source-name.ts';

const ACK_CHUNK = 500;
const CLAIM_ROUNDS = 10;
/** XREADGROUP calls in flight at once. */
const READ_AHEAD = 3;

export class RedisStreamConsumer implements StreamEntryOwner {
  readonly source: string;
  readonly #config: RedisStreamConfig;
  readonly #consumer: string;
  readonly #intake: BrokerIntake;
  readonly #stats: BrokerStats;
  /** Entry id → when this host last took or re-claimed it. Survives sessions. */
  readonly #inFlight = new Map<string, number>();
  /** Entries of this stream held in the host (its own maxInFlight, whatever else the source consumes). */
  readonly #pending = new PendingCount();
  /** Settled entries whose XACK has not been confirmed. Survives sessions. */
  readonly #toAck = new Set<string>();
  #run: ConsumerRun | undefined;
  #flushing = false;
  #flushAgain = false;
  #claiming = false;
  #claimTimer: NodeJS.Timeout | undefined;
  /** The latest entry id the group handed this consumer (read, recovered or claimed) in this process: where a deleted group is recreated. */
  #lastTaken: string | undefined;
  readonly #logger: Pick<HostLogger, 'warn'> | undefined;

  constructor(config: RedisStreamConfig, consumer: string, intake: BrokerIntake, stats: BrokerStats, logger?: Pick<HostLogger, 'warn'>) {
    this.source = sourceOf('redis/stream:', config.key);
    this.#config = config;
    this.#consumer = consumer;
    this.#intake = intake;
    this.#stats = stats;
    this.#logger = logger;
  }

  /** Sends the acknowledgements still queued, after any flush in progress (a stop: this host holds nothing more to re-claim). */
  async flush(): Promise<void> {
    clearInterval(this.#claimTimer);
    this.#claimTimer = undefined;
    // A short sleep, not setImmediate: a flush stuck on a dead socket must not spin the CPU while it waits.
    while (this.#flushing) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.#flushAcks();
  }

  /** The group's pending entries (taken by some consumer, not acknowledged) and lag (not yet delivered to the group). */
  async depth(commands: Redis): Promise<readonly DepthReading[]> {
    const info = parseGroupInfo(await commands.call('XINFO', ['GROUPS', this.#config.key]), this.#config.group);
    const readings: DepthReading[] = [];
    if (info?.pending !== undefined) readings.push({ source: this.source, metric: 'stream_pending', value: info.pending });
    if (info?.lag !== undefined) readings.push({ source: this.source, metric: 'stream_lag', value: info.lag });
    return readings;
  }

  /** Consumes until the run stops or a command fails (which ends the session). */
  async run(run: ConsumerRun): Promise<void> {
    this.#run = run;
    const { key, group, batchSize, blockMs, start, maxInFlight, claimIdleMs } = this.#config;
    const resumeAt = this.#lastTaken;
    if ((await createGroup(run.commands, key, group, resumeAt ?? start)) && resumeAt !== undefined) {
      // Entries other consumers held pending went with the old group: they are not tracked or claimed again.
      this.#logger?.warn(
        { source: this.source, group, after: resumeAt },
        `consumer group ${group} of stream ${key} was recreated (deleted while consumed); it resumes after the last entry this consumer took`,
      );
    }
    await this.#flushAcks();
    // Re-claiming the entries this host holds starts before its own backlog is
    // recovered and goes on after the read loop, through a stop's drain, until
    // flush(): in either window other hosts' XAUTOCLAIM would otherwise take
    // entries still being processed here, and run them a second time.
    clearInterval(this.#claimTimer);
    this.#claimTimer = setInterval(() => void this.#claim(run), Math.max(1000, Math.floor(claimIdleMs / 2)));
    this.#claimTimer.unref();
    await this.#recoverOwn(run);
    // Up to READ_AHEAD reads in flight on the reader connection: Redis
    // answers them in order, and while one reply is decoded and taken the
    // next is already on its way. One read at a time would leave the host
    // waiting a round trip (stretched by everything else this thread does)
    // for every batchSize entries.
    const read = () => {
      const reply = run.reader.call('XREADGROUP', ['GROUP', group, this.#consumer, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', key, '>']);
      // Reads behind the one awaited may fail with the connection after the loop has ended: not unhandled.
      reply.catch(() => undefined);
      return reply;
    };
    const reads: Promise<unknown>[] = [];
    while (run.active) {
      while (reads.length < READ_AHEAD && this.#pending.count + reads.length * batchSize < maxInFlight) reads.push(read());
      if (reads.length === 0) {
        await Promise.race([this.#pending.below(maxInFlight), run.stopped]);
        continue;
      }
      const entries = await this.#exact(this.#handed(parseEntries(await (reads.shift() as Promise<unknown>))), run);
      if (entries.length > 0) this.#take(entries);
    }
    // Replies still on their way when the run ends hand entries to this
    // consumer that nobody takes now: they stay pending in the group, and the
    // next session's #recoverOwn (or another host's XAUTOCLAIM) delivers them.
  }

  async #recoverOwn(run: ConsumerRun): Promise<void> {
    const { key, group, batchSize, maxInFlight } = this.#config;
    let after = '0';
    while (run.active) {
      // On the command connection, where the XACKs go: Redis answers one connection in the order it
      // ran its commands, so an entry of the last session that settles meanwhile is either still in
      // #toAck when this reply is read (skipped) or was acknowledged before the read (not in it).
      // On the reader, the XACK's answer could overtake this reply and the entry be taken twice.
      const entries = this.#handed(parseEntries(await run.commands.call('XREADGROUP', ['GROUP', group, this.#consumer, 'COUNT', batchSize, 'STREAMS', key, after])));
      if (entries.length === 0) return;
      after = (entries[entries.length - 1] as StreamEntry).id;
      const fresh = await this.#exact(this.#fresh(entries), run);
      this.#stats.recovered += fresh.length;
      if (fresh.length > 0) this.#take(fresh);
      await Promise.race([this.#pending.below(maxInFlight), run.stopped]);
    }
  }

  /** Notes how far the group has handed out entries: its replies are in id order, so the last is the latest. */
  #handed(entries: StreamEntry[]): StreamEntry[] {
    const last = entries[entries.length - 1];
    if (last !== undefined) this.#lastTaken = laterEntryId(this.#lastTaken, last.id);
    return entries;
  }

  /**
   * The entries as Redis holds them: any that text decoding may have altered
   * are read again as bytes (redis-stream-bytes.ts), the batch kept in order.
   * A batch of plain text, nearly every one, passes as it is.
   */
  async #exact(entries: StreamEntry[], run: ConsumerRun): Promise<StreamEntry[]> {
    if (!mayHoldBytes(entries)) return entries;
    const exact = await withExactBytes(entries, run.commands, this.#config.key);
    // Deleted between the two reads: acknowledged, as a deleted entry is when first read.
    for (const entry of exact) if (entry.fields === null) this.#ackLater(entry.id);
    return exact;
  }

  /** Entries not already held here; entries deleted from the stream (no fields) are just acknowledged. */
  #fresh(entries: readonly StreamEntry[]): StreamEntry[] {
    const fresh: StreamEntry[] = [];
    for (const entry of entries) {
      if (this.#inFlight.has(entry.id) || this.#toAck.has(entry.id)) continue;
      if (entry.fields === null) this.#ackLater(entry.id);
      else fresh.push(entry);
    }
    return fresh;
  }

  #take(entries: readonly StreamEntry[]): void {
    const now = Date.now();
    const context = { source: this.source, now, ...(this.#config.type === undefined ? {} : { type: this.#config.type }) };
    const messages: BrokerMessage[] = [];
    for (const entry of entries) {
      if (!hasFields(entry)) continue;
      this.#inFlight.set(entry.id, now);
      this.#pending.add();
      messages.push(new StreamMessage(this, entry, decodeStreamEntry(entry.id, entry.fields, context, entry.raw)));
    }
    void this.#intake.take(messages);
  }

  /** The entry's outcome is durable (or it was refused into the host DLQ): acknowledge it. */
  settled(id: string): boolean {
    if (this.#inFlight.delete(id)) this.#pending.done();
    this.#ackLater(id);
    return true;
  }

  /** The host could not accept the entry: still pending for this consumer, so take it again while running, else the next session or XAUTOCLAIM will. */
  released(entry: StreamEntry): void {
    if (this.#inFlight.delete(entry.id)) this.#pending.done();
    if (this.#run?.active) this.#take([entry]);
  }

  #ackLater(id: string): void {
    this.#toAck.add(id);
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = true;
    setImmediate(() => void this.#flushAcks());
  }

  /** XACKs everything settled; what fails stays for the next flush or session. */
  async #flushAcks(): Promise<void> {
    this.#flushing = true;
    try {
      do {
        this.#flushAgain = false;
        const commands = this.#run?.commands;
        if (!commands) return;
        const ids = [...this.#toAck];
        for (let i = 0; i < ids.length; i += ACK_CHUNK) {
          const chunk = ids.slice(i, i + ACK_CHUNK);
          await commands.call('XACK', [this.#config.key, this.#config.group, ...chunk]);
          for (const id of chunk) this.#toAck.delete(id);
        }
      } while (this.#flushAgain);
    } catch {
      // The connection is gone; the next session flushes these first.
    } finally {
      this.#flushing = false;
    }
  }

  /** Re-claims this host's own entries in flight; while `run` reads, also takes entries other consumers left idle. */
  async #claim(run: ConsumerRun): Promise<void> {
    if (this.#claiming) return;
    this.#claiming = true;
    const { commands } = run;
    const { key, group, claimIdleMs, batchSize, maxInFlight } = this.#config;
    try {
      const now = Date.now();
      const stale = [...this.#inFlight].filter(([, at]) => now - at > claimIdleMs / 3).map(([id]) => id);
      if (stale.length > 0) {
        await commands.call('XCLAIM', [key, group, this.#consumer, 0, ...stale, 'JUSTID']);
        for (const id of stale) if (this.#inFlight.has(id)) this.#inFlight.set(id, now);
      }
      let cursor = '0-0';
      for (let round = 0; run.active && round < CLAIM_ROUNDS && this.#pending.count < maxInFlight; round++) {
        const claim = parseClaim(await commands.call('XAUTOCLAIM', [key, group, this.#consumer, claimIdleMs, cursor, 'COUNT', batchSize]));
        const fresh = await this.#exact(this.#fresh(this.#handed(claim.entries)), run);
        this.#stats.claimed += fresh.length;
        if (fresh.length > 0) this.#take(fresh);
        cursor = claim.next;
        if (cursor === '0-0') break;
      }
    } catch {
      // A failed claim round is retried at the next tick; a lost connection ends the session anyway.
    } finally {
      this.#claiming = false;
    }
  }
}
