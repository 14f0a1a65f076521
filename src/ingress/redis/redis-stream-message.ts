// One taken stream entry, as the intake sees it: a class rather than an
// object of closures, because a stream delivers tens of thousands of entries
// a second, each held until its outcome is durable, and every object per
// entry shows in the collector's share. What only a refusal needs is
// computed when read.
import type { BrokerMessage, Decoded } from '../broker-message.ts';
import { STREAM_ENTRY_CONTENT_TYPE, streamEntryBody } from './redis-entry.ts';
import type { StreamEntry } from './redis-stream-replies.ts';

export type PresentEntry = StreamEntry & { fields: string[] };

export function hasFields(entry: StreamEntry): entry is PresentEntry {
  return entry.fields !== null;
}

/** What a message reports its outcome to (redis-stream-consumer.ts). */
export interface StreamEntryOwner {
  readonly source: string;
  settled(id: string): boolean;
  released(entry: StreamEntry): void;
}

export class StreamMessage implements BrokerMessage {
  readonly decoded: Decoded;
  readonly #consumer: StreamEntryOwner;
  /** As read, fields present: what a refusal records and a release takes again. */
  readonly #entry: PresentEntry;

  constructor(consumer: StreamEntryOwner, entry: PresentEntry, decoded: Decoded) {
    this.decoded = decoded;
    this.#consumer = consumer;
    this.#entry = entry;
  }

  get source(): string {
    return this.#consumer.source;
  }

  get contentType(): string {
    return STREAM_ENTRY_CONTENT_TYPE;
  }

  get body(): Buffer {
    return streamEntryBody(this.#entry.fields, this.#entry.raw);
  }

  ack(): boolean {
    return this.#consumer.settled(this.#entry.id);
  }

  /** No broker-side dead-letter for streams: the refusal is in the host DLQ; the entry is acknowledged. */
  refuse(): void {
    this.#consumer.settled(this.#entry.id);
  }

  release(): void {
    this.#consumer.released(this.#entry);
  }
}
