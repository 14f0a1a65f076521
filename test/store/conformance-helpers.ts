// Shared pieces of the store conformance suite: a fresh store per test,
// deterministic events and times, and assertions on PlexusError codes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorData, PlexusEvent } from '@plexus/plugin-sdk';
import type { AcceptInput, DeliveryRecord, Store } from '../../src/store/store.ts';

export interface StoreFixture {
  store: Store;
  /** Closes the store and removes everything it wrote (files, Redis keys). */
  dispose(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

/** A fixed clock origin: every time in the suite is injected, none is read from the wall clock. */
export const T = 1_700_000_000_000;

export const ERROR: ErrorData = { name: 'Error', message: 'upstream said 503', code: 'PLEXUS_PLUGIN_ERROR' };

export function event(id: string, type = 'orders.eu.created', extra: Partial<PlexusEvent> = {}): PlexusEvent {
  return { specversion: '1.0', id, source: 'test/source', type, time: '2023-11-14T22:13:20Z', data: { id, nested: { list: [1, 'two', null] } }, ...extra };
}

export function input(e: PlexusEvent, acceptedAt: number, deliveries: [id: string, plugin: string][]): AcceptInput {
  return { event: e, acceptedAt, deliveries: deliveries.map(([id, plugin]) => ({ id, plugin })) };
}

export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, `expected ${code}, got ${String(err)}`);
    return true;
  });
}

/** Runs `body` on a fresh store and always disposes of it. */
export function using(factory: StoreFactory, body: (store: Store) => Promise<void>): () => Promise<void> {
  return async () => {
    const fixture = await factory();
    try {
      await body(fixture.store);
    } finally {
      await fixture.dispose();
    }
  };
}

/** Runs `body` with the path of a database file in a fresh temporary directory, removed afterwards. */
export async function withDatabaseFile(body: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-sqlite-'));
  try {
    await body(join(dir, 'plexus.db'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function ids(records: readonly { id: string }[]): string[] {
  return records.map((r) => r.id);
}

/**
 * Records as stored, as plain objects with the fields every store answers.
 * A fresh record may carry `eventJson`, the event's text the store made for
 * its journal (never persisted), and `routing`, the event's attributes that
 * delivery reads: when present they must match the event exactly. Both are
 * left out of comparisons, as is the store's opaque `handle`. The event is
 * read through the record (a fresh SQLite record parses it from its text).
 */
export function stored(records: readonly DeliveryRecord[]): DeliveryRecord[] {
  return records.map((r) => {
    const { id, seq, plugin, event, attempt, availableAt, acceptedAt, lastError } = r;
    if (r.eventJson !== undefined) assert.equal(r.eventJson, JSON.stringify(event), `eventJson of ${id}`);
    if (r.routing !== undefined) {
      const { priority, partitionkey, expiresat, traceparent } = event;
      const expected = Object.fromEntries(Object.entries({ priority, partitionkey, expiresat, traceparent }).filter(([, v]) => v !== undefined));
      assert.deepEqual({ ...r.routing }, expected, `routing of ${id}`);
    }
    const record: DeliveryRecord = { id, seq, plugin, event, attempt, availableAt, acceptedAt };
    if (lastError !== undefined) record.lastError = lastError;
    return record;
  });
}
