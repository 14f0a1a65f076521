// The admin app around a FakeHost, driven with fastify's inject (no socket).
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildAdminApp, type AdminAppOptions } from '../../src/admin/admin-app.ts';
import { FakeHost } from './fake-host.ts';
import { RecordingLogger } from './recording-logger.ts';

export const TOKEN = 'test-admin-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface AdminFixture {
  app: FastifyInstance;
  host: FakeHost;
  logger: RecordingLogger;
}

export function adminFixture(options: Partial<Omit<AdminAppOptions, 'host' | 'logger' | 'token'>> = {}): AdminFixture {
  const host = new FakeHost();
  const logger = new RecordingLogger();
  const app = buildAdminApp({ host, logger, token: TOKEN, ...options });
  return { app, host, logger };
}

/** The CONTRACT §7 error body: {"error": {"code", "message"}} and the status of the code. */
export function assertError(response: LightMyRequestResponse, status: number, code: string, messageIncludes?: string): { code: string; message: string; details?: Record<string, unknown> } {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const body = response.json() as { error: { code: string; message: string; details?: Record<string, unknown> } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  if (messageIncludes !== undefined) assert.ok(body.error.message.includes(messageIncludes), `"${body.error.message}" should mention "${messageIncludes}"`);
  return body.error;
}
