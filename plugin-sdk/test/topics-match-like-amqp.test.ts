import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patternCovers } from '../src/manifest/grants.ts';
import { isValidEventType, topicMatches, topicPatternProblem } from '../src/topics.ts';

test('* matches exactly one word and # zero or more, as in AMQP topic exchanges', () => {
  const table: [string, string, boolean][] = [
    ['orders.*.created', 'orders.eu.created', true],
    ['orders.*.created', 'orders.created', false],
    ['orders.*.created', 'orders.eu.west.created', false],
    ['payments.#', 'payments', true],
    ['payments.#', 'payments.card.settled', true],
    ['#', 'anything.at.all', true],
    ['#.created', 'created', true],
    ['a.#.z', 'a.z', true],
    ['a.#.z', 'a.b.c.z', true],
    ['a.#.z', 'a.b.c', false],
    ['a.b', 'a.b.c', false],
  ];
  for (const [pattern, type, expected] of table) assert.equal(topicMatches(pattern, type), expected, `${pattern} vs ${type}`);
});

test('pattern and type syntax is checked', () => {
  assert.equal(topicPatternProblem('orders.*.created'), undefined);
  assert.match(String(topicPatternProblem('orders.cr*')), /invalid word/);
  assert.match(String(topicPatternProblem('')), /non-empty/);
  assert.ok(isValidEventType('orders.eu.created'));
  assert.ok(!isValidEventType('orders.*'));
  assert.ok(!isValidEventType('orders..x'));
});

test('an event type is what dot-separated non-empty words make, up to 255 characters', () => {
  const byWords = (type: string) => type.length > 0 && type.length <= 255 && type.split('.').every((w) => /^[A-Za-z0-9_\-:]+$/.test(w));
  const alphabet = ['a', 'Z', '0', '_', '-', ':', '.', '.', '*', '#', ' ', 'é', '\n'];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let n = 0; n < 20_000; n++) {
    let type = '';
    const length = Math.floor(random() * 8);
    for (let i = 0; i < length; i++) type += alphabet[Math.floor(random() * alphabet.length)];
    assert.equal(isValidEventType(type), byWords(type), JSON.stringify(type));
  }
  assert.ok(isValidEventType('a'.repeat(255)));
  assert.ok(!isValidEventType('a'.repeat(256)));
  assert.ok(!isValidEventType('orders.created\n'), 'a trailing newline is not a word character ($ must not let it through)');
  for (const notText of [undefined, null, 1, ['a'], { toString: () => 'a' }]) assert.ok(!isValidEventType(notText));
});

// The exponential matcher took 3 s for 8 #s and 90 s for 10 against this type; 20 would not end
// within the test's time limit. Answers are checked against a plain reference matcher.
test('patterns with many # answer, matching or not, as the reference does (no exponential backtracking)', { timeout: 10_000 }, () => {
  const type = Array.from({ length: 40 }, (_, i) => `w${i}`).join('.');
  for (const hashes of [8, 12, 20]) {
    const many = Array.from({ length: hashes }, () => '#');
    assert.equal(topicMatches([...many, 'nomatch'].join('.'), type), false);
    assert.equal(topicMatches([...many, 'w39'].join('.'), type), true);
    assert.equal(topicMatches([...many, 'w3', '#', 'w7', '*'].join('.'), type), referenceMatch([...many, 'w3', '#', 'w7', '*'], type.split('.')));
    assert.equal(patternCovers([...many, 'nomatch'].join('.'), `${type}.nomatch.x`), false);
    assert.equal(patternCovers([...many, 'x'].join('.'), `${type}.*.x`), true);
  }
});

/** Dynamic programming straight from the definition: # is zero or more words, * exactly one. */
function referenceMatch(p: string[], t: string[]): boolean {
  const ok: boolean[][] = Array.from({ length: p.length + 1 }, () => Array<boolean>(t.length + 1).fill(false));
  ok[p.length]![t.length] = true;
  for (let i = p.length - 1; i >= 0; i--) {
    for (let j = t.length; j >= 0; j--) {
      if (p[i] === '#') ok[i]![j] = ok[i + 1]![j]! || (j < t.length && ok[i]![j + 1]!);
      else ok[i]![j] = j < t.length && (p[i] === '*' || p[i] === t[j]) && ok[i + 1]![j + 1]!;
    }
  }
  return ok[0]![0]!;
}
