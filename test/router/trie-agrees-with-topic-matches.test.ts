// Property test: on many random tables and types, the trie answers exactly
// what a scan with the SDK's reference `topicMatches` answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesAny, topicMatches } from '@plexus/plugin-sdk/runtime';
import { RoutingTable } from '../../src/router/index.ts';
import { pick, randomInt, seededRandom, type Random } from './seeded-random.ts';

// A small vocabulary makes collisions, shared prefixes and matches frequent.
const WORDS = ['a', 'b', 'c'];
const PATTERN_WORDS = [...WORDS, '*', '#'];

function randomTopic(random: Random, vocabulary: readonly string[], maxWords: number): string {
  return Array.from({ length: randomInt(random, 1, maxWords) }, () => pick(random, vocabulary)).join('.');
}

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  test(`trie match equals a topicMatches scan (seed ${seed})`, () => {
    const random = seededRandom(seed);
    for (let round = 0; round < 25; round++) {
      const subscriptions = Array.from({ length: randomInt(random, 1, 30) }, (_, i) => ({
        pluginKey: `plugin-${i}`,
        patterns: Array.from({ length: randomInt(random, 0, 3) }, () => randomTopic(random, PATTERN_WORDS, 5)),
      }));
      const table = RoutingTable.build(subscriptions);
      for (let probe = 0; probe < 40; probe++) {
        const type = randomTopic(random, WORDS, 6);
        const expected = subscriptions.filter((s) => matchesAny(s.patterns, type)).map((s) => s.pluginKey);
        assert.deepEqual(table.match(type), expected, `type ${type} over ${JSON.stringify(subscriptions)}`);
      }
    }
  });
}

test('every single random pattern agrees with topicMatches on every short type', () => {
  const random = seededRandom(99);
  const types: string[] = [];
  for (let n = 1; n <= 4; n++) {
    const grow = (prefix: string[]): void => {
      if (prefix.length === n) types.push(prefix.join('.'));
      else for (const w of WORDS) grow([...prefix, w]);
    };
    grow([]);
  }
  for (let i = 0; i < 300; i++) {
    const pattern = randomTopic(random, PATTERN_WORDS, 6);
    const table = RoutingTable.build([{ pluginKey: 'p', patterns: [pattern] }]);
    for (const type of types) assert.equal(table.match(type).length === 1, topicMatches(pattern, type), `${pattern} vs ${type}`);
  }
});
