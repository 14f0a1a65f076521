import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { RoutingTable } from '../../src/router/index.ts';

function refusal(run: () => unknown): PlexusError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof PlexusError);
    assert.equal(err.code, 'PLEXUS_INVALID_MANIFEST');
    return err;
  }
  assert.fail('expected a refusal');
}

test('patterns follow the SDK syntax rules: whole-word wildcards, no empty words', () => {
  for (const pattern of ['orders.cre*', 'orders..created', '', 'a.#b', 'orders created']) {
    const err = refusal(() => RoutingTable.build([{ pluginKey: 'p', patterns: ['ok.#', pattern] }]));
    assert.match(err.message, /"p".*patterns\[1\]/);
  }
});

test('a plugin key must be a non-empty string', () => {
  refusal(() => RoutingTable.build([{ pluginKey: '', patterns: ['a'] }]));
});

test('a refused build leaves no table behind: the previous one stays in use', () => {
  const current = RoutingTable.build([{ pluginKey: 'p', patterns: ['a'] }]);
  refusal(() => current.with({ pluginKey: 'q', patterns: ['b..c'] }));
  assert.deepEqual(current.match('a'), ['p']);
});
