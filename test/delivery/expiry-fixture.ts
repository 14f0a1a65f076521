// What the expiresat tests (CONTRACT §5) share: how late after its expiry a
// waiting delivery may be dead-lettered, how far ahead they set an expiry, and
// an engine that records when each delivery was dead-lettered as expired.
import { afterEach } from 'node:test';
import { nameOf, SqliteEngineFixture } from './sqlite-engine-fixture.ts';

/** How late after its expiresat a waiting delivery may be dead-lettered. */
export const EXPIRY_BOUND_MS = 100;
export const EXPIRES_IN_MS = 150;

export interface ExpiryFixture {
  f: SqliteEngineFixture;
  /** When each delivery was durably dead-lettered as expired, by event name. */
  expiredAt: Map<string, number>;
}

/**
 * A maker of expiry-recording engines for a test file; the engine a test made
 * is closed after it. Call it at the top level of the file (it registers the
 * afterEach), the maker inside the tests.
 */
export function expiryFixtures(): () => ExpiryFixture {
  let current: SqliteEngineFixture | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    const expiredAt = new Map<string, number>();
    const f: SqliteEngineFixture = new SqliteEngineFixture({
      hooks: {
        error: (message) => void f.errors.push(message),
        expired: (_plugin, record) => void expiredAt.set(nameOf(record.event), Date.now()),
      },
    });
    current = f;
    return { f, expiredAt };
  };
}
