import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { HostLogger } from '../../src/observability/host-logger.ts';
import { REDACTED, createLogger } from '../../src/observability/logger.ts';
import type { LogLevel } from '../../src/observability/log-level.ts';

function capture(level?: LogLevel) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger: HostLogger = createLogger({ destination, ...(level ? { level } : {}) });
  return { logger, lines };
}

test('one JSON object per line with level name, ISO time and message', () => {
  const { logger, lines } = capture();
  logger.info({ plugin: 'p', attempts: 2 }, 'delivered');
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line?.level, 'info');
  assert.equal(line?.msg, 'delivered');
  assert.equal(line?.plugin, 'p');
  assert.equal(line?.attempts, 2);
  assert.match(String(line?.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});

test('the level filters: info by default, debug when asked, silent drops everything', () => {
  const info = capture();
  info.logger.debug({}, 'hidden');
  info.logger.warn({}, 'shown');
  assert.deepEqual(info.lines.map((l) => l.msg), ['shown']);
  const debug = capture('debug');
  debug.logger.debug({}, 'now shown');
  assert.deepEqual(debug.lines.map((l) => l.msg), ['now shown']);
  const silent = capture('silent');
  silent.logger.error({}, 'nothing');
  assert.equal(silent.lines.length, 0);
});

test('secret fields are redacted at the top level, one level down and in child loggers', () => {
  const { logger, lines } = capture();
  logger.info({ token: 't0k3n', adminToken: 'adm1n', config: { secret: 's3cr3t', password: 'pa55', apiKey: 'k3y' }, headers: { authorization: 'Bearer b34rer', accept: 'json' } }, 'x');
  logger.child({ plugin: 'p' }).warn({ secrets: { A: 'v4lue' }, authorization: 'Basic abc' }, 'y');
  const text = JSON.stringify(lines);
  for (const secret of ['t0k3n', 'adm1n', 's3cr3t', 'pa55', 'k3y', 'b34rer', 'v4lue', 'Basic abc']) assert.ok(!text.includes(secret), secret);
  assert.equal(lines[0]?.token, REDACTED);
  assert.deepEqual(lines[0]?.headers, { authorization: REDACTED, accept: 'json' });
  assert.equal(lines[1]?.plugin, 'p');
  assert.equal(lines[1]?.secrets, REDACTED);
});
