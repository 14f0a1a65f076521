import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from '../../src/delivery/index.ts';

test('no options: the CONTRACT §6 defaults', () => {
  assert.deepEqual(resolveRetryPolicy(), DEFAULT_RETRY_POLICY);
});

test('host options override defaults, plugin options override the host, field by field', () => {
  const policy = resolveRetryPolicy({ host: { maxRetries: 5, maxDelayMs: 30_000 }, plugin: { maxRetries: 1, initialDelayMs: 200 } });
  assert.deepEqual(policy, { maxRetries: 1, initialDelayMs: 200, multiplier: 2, maxDelayMs: 30_000 });
});

test('an undefined field falls through to the layer below', () => {
  assert.equal(resolveRetryPolicy({ host: { maxRetries: 5 }, plugin: { maxRetries: undefined } }).maxRetries, 5);
});

test('the resolved policy is frozen and the defaults cannot be changed', () => {
  assert.ok(Object.isFrozen(resolveRetryPolicy()));
  assert.ok(Object.isFrozen(DEFAULT_RETRY_POLICY));
});

test('invalid values are PLEXUS_INVALID_CONFIG naming layer and field', () => {
  const cases: [Record<string, Record<string, unknown>>, string][] = [
    [{ host: { maxRetries: -1 } }, 'host.retry.maxRetries'],
    [{ plugin: { maxRetries: 1.5 } }, 'plugin.retry.maxRetries'],
    [{ plugin: { multiplier: 0.5 } }, 'plugin.retry.multiplier'],
    [{ host: { initialDelayMs: Number.POSITIVE_INFINITY } }, 'host.retry.initialDelayMs'],
    [{ host: { maxDelayMs: '60s' } }, 'host.retry.maxDelayMs'],
    [{ plugin: { retries: 3 } }, 'plugin.retry.retries'],
    [{ host: JSON.parse('{"constructor": 1}') as Record<string, unknown> }, 'host.retry.constructor'],
  ];
  for (const [layers, path] of cases) {
    assert.throws(
      () => resolveRetryPolicy(layers as Parameters<typeof resolveRetryPolicy>[0]),
      (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INVALID_CONFIG' && err.details?.path === path && err.message.includes(path),
      path,
    );
  }
});
