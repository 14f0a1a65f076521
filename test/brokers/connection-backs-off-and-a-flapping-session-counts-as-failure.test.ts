// BrokerConnection without a broker: scripted sessions. Failed attempts back
// off and open the circuit; a session that dies at once counts as a failure
// (a flapping broker cannot keep it in a tight loop); a healthy session that
// is lost is replaced; hold() keeps a draining ingress from reconnecting;
// a stop that comes during an attempt does not then wait out a backoff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerConnection, type BrokerSession } from '../../src/ingress/broker-connection.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import { waitFor } from './broker-fixture.ts';

class FakeSession implements BrokerSession {
  readonly lost: Promise<Error | undefined>;
  closed = false;
  #lose: (cause: Error | undefined) => void = () => undefined;

  constructor() {
    this.lost = new Promise((resolve) => {
      this.#lose = resolve;
    });
  }

  die(message = 'socket closed'): void {
    this.#lose(new Error(message));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.#lose(undefined);
  }
}

function connection(open: () => Promise<FakeSession>, logger = new RecordingLogger()) {
  return new BrokerConnection<FakeSession>({
    name: 'fake:one', open, logger, secrets: ['hunter2-password'],
    reconnect: { initialDelayMs: 10, maxDelayMs: 200, multiplier: 2 },
    breaker: { failureThreshold: 3, coolDownMs: 400 },
  });
}

// A connection whose every attempt succeeds, keeping each session it opened
// so a test can make any of them die.
function connectionRecordingSessions() {
  const sessions: FakeSession[] = [];
  const subject = connection(async () => {
    const session = new FakeSession();
    sessions.push(session);
    return session;
  });
  return { sessions, subject };
}

test('failed attempts back off, open the circuit, and the reason never shows the password', { timeout: 10_000 }, async () => {
  let attempts = 0;
  const logger = new RecordingLogger();
  const subject = connection(async () => {
    attempts++;
    throw new Error('ECONNREFUSED (password was hunter2-password)');
  }, logger);
  await subject.start();
  await new Promise((r) => setTimeout(r, 1000));
  // 3 quick attempts open the circuit for 400 ms; then one trial per cool-down: ~5 in a second, never dozens.
  assert.ok(attempts >= 3 && attempts <= 7, `${attempts} attempts`);
  await assert.rejects(subject.check(), (err: Error) => /fake:one is (waiting|connecting)/.test(err.message) && !err.message.includes('hunter2-password'));
  assert.ok(!logger.text.includes('hunter2-password'));
  assert.ok(logger.lines.some((l) => l.message.includes('pausing reconnection attempts')));
  await subject.stop();
  assert.equal(subject.state, 'stopped');
});

test('a session that dies at once is a failure; a lost healthy one is replaced', { timeout: 10_000 }, async () => {
  const { sessions, subject } = connectionRecordingSessions();
  await subject.start();
  assert.equal(subject.state, 'connected');
  await subject.check();
  // Flapping: every session dies right after it opens.
  let lastGapMs = 0;
  for (let i = 0; i < 3; i++) {
    (sessions[sessions.length - 1] as FakeSession).die();
    const count = sessions.length;
    const diedAt = Date.now();
    await waitFor('a new session', () => sessions.length > count, 5000);
    lastGapMs = Date.now() - diedAt;
  }
  assert.ok(lastGapMs >= 350, `the third quick death opened the circuit for its cool-down (waited ${lastGapMs} ms)`);
  assert.equal(subject.circuit, 'half-open', 'the session after the cool-down is a trial');
  // A session that lives past maxDelayMs is healthy: the trial succeeds and the circuit closes.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(subject.circuit, 'closed');
  const before = sessions.length;
  (sessions[sessions.length - 1] as FakeSession).die('broker restarted');
  await waitFor('replaced', () => sessions.length === before + 1 && subject.state === 'connected', 5000);
  assert.ok(subject.reconnects >= 4);
  await subject.stop();
  assert.ok(sessions.every((s, i) => i === sessions.length - 1 ? s.closed : true));
});

test('hold() keeps the open session but opens no new one once it is lost', { timeout: 10_000 }, async () => {
  const { sessions, subject } = connectionRecordingSessions();
  await subject.start();
  subject.hold();
  assert.equal(subject.session, sessions[0]);
  (sessions[0] as FakeSession).die();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sessions.length, 1, 'no reconnection while draining');
  await subject.stop();
  assert.equal(subject.state, 'stopped');
});

test('a stop that comes while an attempt is in flight does not wait out the next backoff', { timeout: 10_000 }, async () => {
  let attempts = 0;
  const subject = new BrokerConnection<FakeSession>({
    name: 'fake:slow', logger: new RecordingLogger(), secrets: [],
    open: async () => {
      attempts++;
      // The second attempt is slow to fail, as a connect timeout is.
      if (attempts >= 2) await new Promise((r) => setTimeout(r, 300));
      throw new Error('ECONNREFUSED');
    },
    // After the second failure the delay is 2.5-5 s.
    reconnect: { initialDelayMs: 10, maxDelayMs: 5000, multiplier: 1000 },
    breaker: { failureThreshold: 100, coolDownMs: 60_000 },
  });
  await subject.start();
  await waitFor('the second attempt under way', () => attempts >= 2, 5000);
  const started = Date.now();
  await subject.stop();
  const took = Date.now() - started;
  assert.ok(took < 1500, `stop took ${took} ms`);
  assert.equal(attempts, 2);
});
