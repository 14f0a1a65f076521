// What a consumer hands to the intake, whatever the broker: the decoded
// envelope (or why it was refused), the raw bytes a refusal records, and the
// three ways the broker can be told what became of the message.
import type { PlexusError, PlexusEvent } from '@plexus/plugin-sdk';

export type Decoded = { ok: true; event: PlexusEvent; stableId: boolean } | { ok: false; error: PlexusError };

export interface BrokerMessage {
  readonly decoded: Decoded;
  readonly source: string;
  /** What a refusal records: the raw bytes as they arrived. */
  readonly body: Buffer;
  readonly contentType?: string;
  /**
   * The event's outcome is durable. False when the ack cannot be sent (the
   * broker will redeliver). A broker that sends acks later calls `lost` if
   * one it took is never sent after all (the connection went first).
   */
  ack(lost?: () => void): boolean;
  /** The refusal is recorded: dead-letter it on the broker side (or just drop it, where there is none). */
  refuse(): void;
  /** Not accepted: let it be delivered again. */
  release(): void;
}
