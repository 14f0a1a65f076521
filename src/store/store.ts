// The one store interface the host's durability rests on (CONTRACT §6). Two
// implementations: SQLite (node:sqlite, WAL) for the embedded default and Redis
// for hosts that share state; one conformance suite runs against both.
//
// Every write is a batch and every batch is atomic: the delivery engine
// accepts and settles events in groups, because one transaction per event
// would cap throughput at the disk's fsync rate.
import type { ErrorData } from '@plexus/plugin-sdk';
import type { PlexusEvent } from '@plexus/plugin-sdk';

/** Why an event left delivery without success (every one, for schemas and the CLI's --reason). */
export const DEAD_REASONS = ['permanent', 'exhausted', 'expired', 'invalid'] as const;
export type DeadReason = (typeof DEAD_REASONS)[number];

/** One (event, plugin) pair that still has to be delivered. */
export interface DeliveryRecord {
  /** Unique id of this delivery. */
  id: string;
  /** Journal sequence of the event (monotonic per store). */
  seq: number;
  /** Plugin name: a delivery goes to whichever version of the plugin is active when it runs. */
  plugin: string;
  event: PlexusEvent;
  /** Attempts already made (0 for a fresh delivery). */
  attempt: number;
  /** Not before this time (ms since epoch). */
  availableAt: number;
  acceptedAt: number;
  lastError?: ErrorData;
  /**
   * The event as JSON text, when the store has just serialized it for its
   * journal (a fresh delivery): the engine hands it to the sandbox instead of
   * serializing the event a second time. Never stored; absent on records read back.
   */
  eventJson?: string;
  /**
   * The event's attributes that delivery reads on every delivery (lane
   * order, partitions, expiry, the trace of what it emits), when the store
   * keeps them apart from `event`. A fresh record does (store/fresh-record.ts): its `event`
   * is parsed from `eventJson` only if something asks for it, so the
   * ingress's event object is garbage once the accept is durable instead of
   * living (and being copied by every young-generation GC) until the
   * delivery settles. Read them through routingOf().
   */
  routing?: EventRouting;
  /**
   * Where the store keeps this pending delivery, for the store's own use:
   * a settlement that carries it back lets the store find the delivery
   * without a lookup by id. Opaque to everyone else; stores may omit it.
   */
  handle?: StoreHandle;
}

/** See DeliveryRecord.routing. */
export type EventRouting = Pick<PlexusEvent, 'priority' | 'partitionkey' | 'expiresat' | 'traceparent'>;

/** The attributes delivery reads on every delivery, without parsing an event that is kept as text. */
export const routingOf = (record: DeliveryRecord): EventRouting => record.routing ?? record.event;

/** See DeliveryRecord.handle. */
export type StoreHandle = object;

/**
 * A replay claim (a webhook delivery id): the event is accepted only if
 * `key` is not recorded within its window, and the key is recorded in the
 * same transaction as the event, so a claim never outlives a failed accept
 * and two copies of one delivery never both get in.
 */
export interface ReplayClaim {
  key: string;
  ttlMs: number;
}

/** An event to accept, with the deliveries the router produced for it. */
export interface AcceptInput {
  event: PlexusEvent;
  acceptedAt: number;
  deliveries: { id: string; plugin: string }[];
  claim?: ReplayClaim;
  /**
   * settle() only: the delivery whose successful run emitted this event. If
   * that delivery's settlement in the same call does not apply (see
   * AcceptResult.unapplied), the event is not accepted either (not journaled,
   * no deliveries, not counted as a duplicate nor a replay): the outcome that
   * stands is that of whoever settled or runs the delivery now, and it emits
   * its own events.
   */
  cause?: string;
}

export interface AcceptResult {
  /** Deliveries actually created, in input order (duplicates by idempotency key removed). */
  created: DeliveryRecord[];
  /** Deliveries suppressed because (idempotencykey, plugin) was seen within the window. */
  duplicates: number;
  /** Positions (in the inputs given) of events refused because their claim was already recorded: not journaled, no deliveries. */
  replayed?: number[];
  /**
   * settle() only: positions (in the settlements given) of settlements the
   * store did not apply, because their delivery is no longer pending (settled
   * or removed meanwhile) or, in a shared store, another host runs it now
   * (adopted). The caller must forget those deliveries: a retry scheduled for
   * one would run the plugin again for a delivery someone else owns or that
   * no longer exists. Absent when every settlement applied.
   */
  unapplied?: number[];
}

/** `handle`: the record's (DeliveryRecord.handle), when the caller has it; a settlement without one is found by id. */
export type Settlement =
  | { kind: 'done'; deliveryId: string; handle?: StoreHandle | undefined }
  | { kind: 'retry'; deliveryId: string; handle?: StoreHandle | undefined; attempt: number; availableAt: number; error: ErrorData }
  | { kind: 'dead'; deliveryId: string; handle?: StoreHandle | undefined; attempt: number; reason: DeadReason; error?: ErrorData; at: number };

export interface DlqEntry {
  /** Id of the DLQ entry (the delivery id it came from). */
  id: string;
  plugin: string;
  event: PlexusEvent;
  reason: DeadReason;
  attempts: number;
  error?: ErrorData;
  acceptedAt: number;
  deadAt: number;
}

export interface DlqFilter {
  ids?: string[];
  plugin?: string;
  type?: string;
  source?: string;
  reason?: DeadReason;
  /** deadAt >= from (ms). */
  from?: number;
  /** deadAt < to (ms). */
  to?: number;
}

export interface JournalQuery {
  /** acceptedAt >= from (ms). */
  from: number;
  /** acceptedAt < to (ms); default: now. */
  to?: number;
  /** Exact type or a topic pattern. */
  type?: string;
  /** Resume after this sequence (pagination). */
  afterSeq?: number;
  limit: number;
}

export interface JournalEntry {
  seq: number;
  acceptedAt: number;
  event: PlexusEvent;
}

export interface RetentionPolicy {
  journalMs: number;
  dlqMs: number;
}

export type KvValue = string | number | boolean | null;

export interface Store {
  /**
   * Journals each event and creates its deliveries, skipping a delivery whose
   * (event.idempotencykey, plugin) was accepted within `dedupWindowMs`.
   * Atomic for the whole batch; durable when the promise resolves.
   */
  accept(inputs: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult>;
  /**
   * Records outcomes and, in the same transaction, accepts the events plugins
   * emitted (the outbox): an emitted event exists iff its cause succeeded,
   * as recorded (an event whose `cause` has a settlement that does not apply
   * is dropped with it).
   */
  settle(settlements: Settlement[], emitted: AcceptInput[], dedupWindowMs: number): Promise<AcceptResult>;
  /** Every delivery not yet done or dead, oldest first. */
  pending(): Promise<DeliveryRecord[]>;
  /**
   * The pending deliveries this host should run but does not hold: those of
   * hosts that stopped (a shared store knows by their lease), which become
   * this host's, and with `own` (after a restart) its own too. Oldest first.
   * A store serves one host unless it is shared: SQLite answers every
   * pending delivery for `own` and no orphans.
   */
  adopt(options: { own: boolean }): Promise<DeliveryRecord[]>;
  /** The host a shared store acts for (the host id its deliveries carry); absent for a store one host owns. */
  readonly host?: string;

  listDlq(filter: DlqFilter, page: { limit: number; offset?: number }): Promise<DlqEntry[]>;
  countDlq(filter: DlqFilter): Promise<number>;
  getDlq(id: string): Promise<DlqEntry | undefined>;
  /** Removes matching entries; answers how many. */
  purgeDlq(filter: DlqFilter): Promise<number>;
  /** Atomically removes matching entries and turns each into a fresh delivery (attempt 0) of the same event to the same plugin. */
  replayDlq(filter: DlqFilter, now: number): Promise<DeliveryRecord[]>;

  readJournal(query: JournalQuery): Promise<JournalEntry[]>;
  /**
   * Replay: creates fresh deliveries (attempt 0, available now) for events
   * already in the journal, without journaling them again and without dedup
   * (the operator asked for them). Unknown seqs are skipped. Atomic.
   */
  redeliver(entries: { seq: number; deliveries: { id: string; plugin: string }[] }[], now: number): Promise<DeliveryRecord[]>;
  /** Deletes journal entries, DLQ entries and dedup keys past retention; answers counts. */
  prune(policy: RetentionPolicy, now: number): Promise<{ journal: number; dlq: number; dedup: number }>;

  /** Plugin kv, namespaced by plugin name. Values are JSON text; incr works on numbers. */
  kvGet(namespace: string, key: string, now: number): Promise<string | null>;
  kvSet(namespace: string, key: string, value: string, ttlMs: number | null, now: number): Promise<void>;
  kvDelete(namespace: string, key: string, now: number): Promise<boolean>;
  kvIncr(namespace: string, key: string, by: number, now: number): Promise<number>;

  /** Records `key` for `ttlMs`; true when it was already recorded (webhook replay protection). */
  seen(key: string, ttlMs: number, now: number): Promise<boolean>;
  /** Forgets a `seen` key (a delivery whose acceptance failed may be retried by its sender). */
  forget(key: string): Promise<void>;

  /** Depth of non-final deliveries per plugin (metrics, backpressure). */
  depth(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
