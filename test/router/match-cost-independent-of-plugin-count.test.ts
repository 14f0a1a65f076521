// The router walks a trie: its work is the (node, word) states reachable
// along the type, so unrelated subscriptions, however many, cost nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTopicTrie, matchTopicTrie } from '../../src/router/index.ts';

const RELEVANT = ['orders.*.created', 'orders.#', '#.created'];

function trieWith(unrelated: number) {
  const patterns = [...RELEVANT];
  for (let i = 0; i < unrelated; i++) patterns.push(`tenant${i}.*.events.#`, `billing.tenant${i}.invoice.*`);
  return buildTopicTrie(patterns.map((pattern, value) => ({ pattern, value })));
}

test('states visited are the same with 10 or 20 000 unrelated subscriptions', () => {
  const small = matchTopicTrie(trieWith(5), 'orders.eu.created');
  const large = matchTopicTrie(trieWith(10_000), 'orders.eu.created');
  assert.deepEqual(new Set(large.values), new Set([0, 1, 2]));
  assert.deepEqual(new Set(small.values), new Set(large.values));
  assert.equal(large.statesVisited, small.statesVisited);
  assert.ok(large.statesVisited < 20, `visited ${large.statesVisited}`);
});

test('repeated # cannot blow up the walk: each (node, position) state is expanded once', () => {
  const trie = buildTopicTrie([{ pattern: '#.#.#.#.#.#.#.#.z', value: 0 }]);
  const words = Array(60).fill('a').join('.');
  const result = matchTopicTrie(trie, words);
  assert.deepEqual(result.values, []);
  // 10 nodes × 61 positions bounds the states, where naive backtracking is exponential.
  assert.ok(result.statesVisited <= 10 * 61, `visited ${result.statesVisited}`);
});
