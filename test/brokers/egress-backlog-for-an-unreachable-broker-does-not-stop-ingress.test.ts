// While an egress broker is unreachable, the events plugins emitted for it
// wait durably in the egress lane. That backlog must not stop the host from
// accepting everything else (webhooks, other brokers, events no plugin
// emits for it): egress lanes have a room of their own, delivery.maxQueued
// deep, and only a backlog beyond it holds ingress back, so memory stays
// bounded.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultHostConfig, type HostConfig } from '../../src/config/host-config.ts';
import { publishingBrokers, toEgressConfig } from '../../src/egress/egress-config.ts';
import { Host } from '../../src/host/host.ts';
import { toBrokersConfig } from '../../src/ingress/broker-config.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import { waitFor } from './broker-fixture.ts';
import { emitterState, trigger } from './egress-fixture.ts';

const MAX_QUEUED = 300;

const settles = (promise: Promise<unknown>, ms: number) => Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

test('an egress backlog up to delivery.maxQueued leaves ingress accepting; beyond that room it holds ingress back', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-egress-room-'));
  await emitterState(['orders.#'])(stateDir);
  // Nothing listens on port 1: the egress connection never comes up.
  const brokersDoc = { amqp: { out: { url: 'amqp://127.0.0.1:1', username: 'guest', password: 'guest' } } };
  const egress = toEgressConfig([{ name: 'out', match: 'orders.#', broker: 'out', exchange: 'plexus.out' }], brokersDoc);
  const base = defaultHostConfig(stateDir);
  const config: HostConfig = { ...base, delivery: { ...base.delivery, maxQueued: MAX_QUEUED }, sandbox: { ...base.sandbox, threads: 2 }, shutdownTimeoutMs: 2000, brokers: toBrokersConfig(brokersDoc, publishingBrokers(egress)), egress };
  const host = await Host.start(config, { logger: new RecordingLogger() });
  const egressQueued = () => host.engine.laneStates().find((l) => l.plugin === 'egress:out')?.queued ?? 0;
  const unrelated = () => ({ ...trigger('x', 0), type: 'unrelated.event' });
  try {
    for (let i = 0; i < 400; i += 50) await host.accept(Array.from({ length: 50 }, (_, j) => trigger('orders.created', i + j)));
    await waitFor('400 emitted events wait in the egress lane', () => egressQueued() >= 400, 20_000);
    assert.ok(await settles(host.accept([unrelated()]), 5000), 'accepted while the egress backlog (400) is within its own room');

    for (let i = 400; i < 700; i += 50) await host.accept(Array.from({ length: 50 }, (_, j) => trigger('orders.created', i + j)));
    await waitFor('700 emitted events wait in the egress lane', () => egressQueued() >= 700, 20_000);
    assert.equal(await settles(host.accept([unrelated()]), 1000), false, 'held back once the backlog exceeds its own room by maxQueued');
    assert.equal(host.engine.depth.queued, egressQueued(), 'the depth still reports every queued delivery');
  } finally {
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
