// An owned Redis client removed its only 'error' listener once connected, so
// each later connection error made ioredis print "[ioredis] Unhandled error
// event" and a stack to stderr, outside the host's JSON log: a line per
// reconnection attempt for as long as Redis was away. The store now reports
// them through its log for the client's whole life, rate-limited, without
// the URL's credentials, and recovers when Redis is back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ConnectionErrorLog } from '../../src/store/redis-connection-log.ts';
import { redisSkipReason } from './redis-reachable.ts';

const skip = await redisSkipReason();
const CHILD = fileURLToPath(new URL('./redis-connection-errors-child.ts', import.meta.url));

interface Line { level: string; fields: Record<string, unknown>; message: string }

test('a dropped connection is logged once, not printed by ioredis, and the store recovers', { skip }, () => {
  const child = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, '2500'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.ok(!/ioredis|Unhandled error|ECONNREFUSED/.test(child.stderr), `stderr: ${child.stderr}`);
  const { lines, recovered } = JSON.parse(child.stdout) as { lines: Line[]; recovered: boolean };
  assert.equal(recovered, true);
  // ~2.5 s of reconnection attempts (every 50, 100, 150… ms): one error line, then one when it is back.
  assert.deepEqual(lines.map((l) => [l.level, l.message]), [['error', 'Redis store connection error; reconnecting'], ['info', 'Redis store connection restored']], JSON.stringify(lines));
  const [error, restored] = lines as [Line, Line];
  assert.match(String(error.fields.err), /ECONNREFUSED/);
  assert.equal(error.fields.store, 'redis');
  assert.ok(Number(restored.fields.errors) >= 1, 'the restored line counts the errors no line reported');
});

test('errors: the first at once, then one line per interval with a count; the URL without its credentials', () => {
  const lines: Line[] = [];
  const record = (level: string) => (fields: object, message: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message });
  let now = 1_000_000;
  const password = 's3cret/pass word';
  const url = `redis://user:${encodeURIComponent(password)}@cache.internal:6380/2`;
  const log = new ConnectionErrorLog({ warn: record('warn'), error: record('error') }, url, 30_000, () => now);

  log.error(new Error(`WRONGPASS for ${password} and ${encodeURIComponent(password)}`));
  for (let i = 0; i < 1000; i++) {
    now += 20;
    log.error(new Error('connect ECONNREFUSED'));
  }
  now += 10_000;
  log.error(new Error('connect ECONNREFUSED'));
  log.ready();
  log.ready();
  log.error(new Error('read ECONNRESET'));

  assert.deepEqual(lines.map((l) => [l.level, l.message, l.fields.errors]), [
    ['error', 'Redis store connection error; reconnecting', 1],
    // 20 s of errors held back, then the one 30 s after the first line, which reports them all.
    ['error', 'Redis store connection still failing', 1001],
    // No info level given: the warn level says it is back.
    ['warn', 'Redis store connection restored', 0],
  ]);
  assert.equal(lines[0]?.fields.url, 'redis://cache.internal:6380/2');
  const text = JSON.stringify(lines);
  assert.ok(!text.includes(password) && !text.includes(encodeURIComponent(password)) && !text.includes('user'), text);
  assert.match(String(lines[0]?.fields.err), /WRONGPASS for \[redacted\] and \[redacted\]/);
});
