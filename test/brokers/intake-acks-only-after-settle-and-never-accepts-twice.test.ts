// The broker-independent intake against a scripted host: a message is acked
// only when onSettled fires; a second message for an event in flight is
// acked with it, not accepted again; a redelivery of an event that settled
// while its ack was lost (refused at once, or queued and lost later with the
// channel) is acked at once; what the host cannot accept is
// released (after a pause), and a refusal is recorded before the message is
// dead-lettered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError, type PlexusEvent } from '@plexus/plugin-sdk';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { BrokerIntake, type IntakeHost } from '../../src/ingress/broker-intake.ts';
import type { BrokerMessage } from '../../src/ingress/broker-message.ts';
import { BrokerStats } from '../../src/ingress/broker-stats.ts';
import type { AcceptInput, Settlement } from '../../src/store/store.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

class ScriptedHost {
  readonly accepted: PlexusEvent[] = [];
  readonly settleCallbacks = new Map<string, () => void>();
  readonly refusals: { accepted: AcceptInput[]; settled: Settlement[] } = { accepted: [], settled: [] };
  failAccept = false;
  failStore = false;
  readonly host: IntakeHost;

  constructor() {
    const store = {
      accept: async (inputs: AcceptInput[]) => {
        if (this.failStore) throw new Error('store down');
        this.refusals.accepted.push(...inputs);
        return { created: [], duplicates: 0 };
      },
      settle: async (settlements: Settlement[]) => {
        this.refusals.settled.push(...settlements);
        return { created: [], duplicates: 0 };
      },
    };
    this.host = {
      config: defaultHostConfig('/tmp/unused'),
      store,
      accept: async (events, onSettled) => {
        if (this.failAccept) throw new PlexusError('PLEXUS_UNAVAILABLE', 'the host is shutting down');
        events.forEach((event, index) => {
          this.accepted.push(event);
          this.settleCallbacks.set(event.id, () => onSettled?.(index));
        });
        return { created: [], duplicates: 0 };
      },
    };
  }

  settle(id: string): void {
    this.settleCallbacks.get(id)?.();
  }
}

function message(id: string, options: { stable?: boolean; ackWorks?: boolean } = {}): BrokerMessage & { log: string[]; loseAck: () => void } {
  const log: string[] = [];
  let lost: (() => void) | undefined;
  const event: PlexusEvent = { specversion: '1.0', id, source: 'amqp/q', type: 't.x' };
  return {
    log,
    decoded: { ok: true, event, stableId: options.stable ?? true },
    source: 'amqp/q',
    body: Buffer.from(id),
    ack: (onLost) => {
      log.push('ack');
      lost = onLost;
      return options.ackWorks ?? true;
    },
    // The broker's window took the ack, then its channel went before sending it.
    loseAck: () => lost?.(),
    refuse: () => void log.push('refuse'),
    release: () => void log.push('release'),
  };
}

function intake(scripted: ScriptedHost): { intake: BrokerIntake; stats: BrokerStats } {
  const stats = new BrokerStats();
  return { intake: new BrokerIntake({ host: scripted.host, stats, logger: new RecordingLogger(), name: 'amqp:test' }), stats };
}

test('acked only after onSettled; an event in flight is joined, not accepted twice', async () => {
  const scripted = new ScriptedHost();
  const { intake: subject, stats } = intake(scripted);
  const first = message('e1');
  const twin = message('e1');
  await subject.take([first]);
  assert.deepEqual(first.log, [], 'durable is not settled: no ack yet');
  await subject.take([twin]);
  assert.equal(scripted.accepted.length, 1, 'the same (source, id) is not accepted twice while in flight');
  assert.equal(subject.pending, 2);
  scripted.settle('e1');
  assert.deepEqual(first.log, ['ack']);
  assert.deepEqual(twin.log, ['ack']);
  assert.equal(subject.pending, 0);
  assert.equal(stats.joined, 1);
  assert.equal(stats.acked, 2);
});

test('a redelivery of an event that settled while its ack was lost is acked at once', async () => {
  const scripted = new ScriptedHost();
  const { intake: subject, stats } = intake(scripted);
  await subject.take([message('e2', { ackWorks: false })]);
  scripted.settle('e2');
  assert.equal(stats.ackFailures, 1);
  const redelivered = message('e2');
  await subject.take([redelivered]);
  assert.deepEqual(redelivered.log, ['ack']);
  assert.equal(scripted.accepted.length, 1);
  assert.equal(stats.alreadySettled, 1);
});

test('a redelivery of an event whose queued ack was lost later, with the channel, is acked at once', async () => {
  const scripted = new ScriptedHost();
  const { intake: subject, stats } = intake(scripted);
  const first = message('e4');
  await subject.take([first]);
  scripted.settle('e4');
  assert.equal(stats.acked, 1);
  first.loseAck();
  assert.equal(stats.acked, 0, 'counted as a failure, not as acked');
  assert.equal(stats.ackFailures, 1);
  const redelivered = message('e4');
  await subject.take([redelivered]);
  assert.deepEqual(redelivered.log, ['ack']);
  assert.equal(scripted.accepted.length, 1, 'not accepted (and run) again');
  assert.equal(stats.alreadySettled, 1);
});

test('events without a stable id are never joined', async () => {
  const scripted = new ScriptedHost();
  const { intake: subject } = intake(scripted);
  await subject.take([message('r1', { stable: false }), message('r1', { stable: false })]);
  assert.equal(scripted.accepted.length, 2);
});

test('messages the host cannot accept are released for redelivery after a pause', { timeout: 10_000 }, async () => {
  const scripted = new ScriptedHost();
  scripted.failAccept = true;
  const { intake: subject, stats } = intake(scripted);
  const m = message('e3');
  await subject.take([m]);
  assert.deepEqual(m.log, [], 'not at once: no hot loop against a failing host');
  assert.equal(await subject.drained(5000), true);
  assert.deepEqual(m.log, ['release']);
  assert.equal(stats.released, 1);
});

test('a refusal is recorded as an invalid DLQ entry before the message is dead-lettered', async () => {
  const scripted = new ScriptedHost();
  const { intake: subject, stats } = intake(scripted);
  const log: string[] = [];
  const refused: BrokerMessage = {
    decoded: { ok: false, error: new PlexusError('PLEXUS_INVALID_EVENT', 'Invalid event: type is missing') },
    source: 'amqp/q', body: Buffer.from('{"x":1}'), contentType: 'application/json',
    ack: () => true, refuse: () => void log.push('refuse'), release: () => void log.push('release'),
  };
  await subject.take([refused]);
  assert.deepEqual(log, ['refuse']);
  assert.equal(stats.refused, 1);
  const input = scripted.refusals.accepted[0];
  assert.equal(input?.event.type, 'plexus.ingress.refused');
  assert.equal(input?.deliveries[0]?.plugin, 'amqp:test');
  assert.equal(Buffer.from(String(input?.event.data_base64), 'base64').toString(), '{"x":1}');
  const settled = scripted.refusals.settled[0];
  assert.ok(settled?.kind === 'dead' && settled.reason === 'invalid' && settled.error?.code === 'PLEXUS_INVALID_EVENT');
});

test('a refusal the store cannot record is released, never dropped', { timeout: 10_000 }, async () => {
  const scripted = new ScriptedHost();
  scripted.failStore = true;
  const { intake: subject } = intake(scripted);
  const log: string[] = [];
  await subject.take([{ decoded: { ok: false, error: new PlexusError('PLEXUS_INVALID_EVENT', 'bad') }, source: 'amqp/q', body: Buffer.from('x'), ack: () => true, refuse: () => void log.push('refuse'), release: () => void log.push('release') }]);
  assert.equal(await subject.drained(5000), true);
  assert.deepEqual(log, ['release']);
});
