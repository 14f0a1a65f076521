// Request helpers for the HTTP tests: GitHub-signed headers (official
// library), the refusal assertion (status + error code + body shape), and
// the "host stays up" probe run after every bad request.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import type { Answer, WebhookFixture } from './http-fixture.ts';

/** The library signs text as UTF-8; bytes that are not UTF-8 are signed by hand in the one test that sends them. */
export async function githubHeaders(secret: string, body: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign(secret, body), ...extra };
}

/** The status, the code, and the one error body shape of CONTRACT §7. */
export function assertRefused(answer: Answer, status: number, code: string, message?: RegExp): void {
  assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.error?.code, code, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.error?.message, 'string');
  if (message) assert.match(answer.body.error?.message ?? '', message);
}

/** A well-signed delivery still gets 202 and reaches the plugin: the host survived whatever came before. */
export async function assertHealthy(fixture: WebhookFixture, source: string, secret: string): Promise<void> {
  const body = JSON.stringify({ probe: randomUUID() });
  const answer = await fixture.post(source, body, await githubHeaders(secret, body));
  assert.equal(answer.status, 202, `healthy request after a bad one: ${answer.status} ${JSON.stringify(answer.body)}`);
  assert.ok(answer.body.id);
  assert.deepEqual((await fixture.recorded(answer.body.id)).data, JSON.parse(body));
}
