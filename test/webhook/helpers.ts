// Shared test helpers: a fixed clock, assertion of PlexusError code + message,
// and building one source through the real config parser.
import assert from 'node:assert/strict';
import { PlexusError, type PlexusErrorCode } from '@plexus/plugin-sdk';
import { parseWebhookSources, type WebhookSource, type WebhookSourceConfig } from '../../src/ingress/webhook/index.ts';

/** 2025-01-15T12:00:00Z, in epoch milliseconds; every test runs at this instant. */
export const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
export const NOW_SEC = NOW_MS / 1000;

function check(err: unknown, code: PlexusErrorCode, message: RegExp): true {
  assert.ok(err instanceof PlexusError, `expected a PlexusError, got ${String(err)}`);
  assert.equal(err.code, code, `code of: ${err.message}`);
  assert.match(err.message, message);
  return true;
}

export function assertPlexusError(fn: () => unknown, code: PlexusErrorCode, message: RegExp): void {
  assert.throws(fn, (err) => check(err, code, message));
}

export async function assertRejectsPlexus(promise: Promise<unknown>, code: PlexusErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err) => check(err, code, message));
}

/** One source named `test` parsed from config; type defaults to a fixed `test.event`. */
export function sourceFrom(config: Partial<WebhookSourceConfig> & Pick<WebhookSourceConfig, 'signature'>, env: Record<string, string> = {}): WebhookSource {
  const source = parseWebhookSources({ test: { type: { from: 'fixed', value: 'test.event' }, ...config } }, { env }).get('test');
  assert.ok(source);
  return source;
}
