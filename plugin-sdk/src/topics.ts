// Topic patterns over the event `type` (CONTRACT §2): dot-separated words,
// `*` matches exactly one word, `#` matches zero or more, as in AMQP topic
// exchanges. Pure functions; the host's router builds its trie on the same
// syntax rules.

// One word: letters, digits, _ - and :.
const WORD_SOURCE = '[A-Za-z0-9_\\-:]+';
const WORD = new RegExp(`^${WORD_SOURCE}$`);
// The same words, dot-separated, as one pattern: checked for every event a
// broker or webhook brings (twice for a webhook), where splitting allocated
// an array and a string per word.
const EVENT_TYPE = new RegExp(`^${WORD_SOURCE}(?:\\.${WORD_SOURCE})*$`);

/** A concrete event type: one or more non-empty words, no wildcards. */
export function isValidEventType(type: unknown): type is string {
  return typeof type === 'string' && type.length <= 255 && EVENT_TYPE.test(type);
}

/** Why a pattern is invalid, or undefined when it is fine. */
export function topicPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'must be a non-empty string';
  if (pattern.length > 255) return 'must be at most 255 characters';
  for (const word of pattern.split('.')) {
    if (word === '*' || word === '#') continue;
    if (!WORD.test(word)) return `has an invalid word "${word}" (letters, digits, _ - : or a whole-word * or #)`;
  }
  return undefined;
}

/**
 * Matches one concrete type against one pattern. Recursive on `#`, with the
 * (pattern position, type position) pairs that failed remembered: without
 * that, a valid pattern like `#.#.#.#.#.#.#.#.#.x` against a long type
 * backtracks exponentially (seconds to hours of the host's thread, from one
 * replay or DLQ filter). With it, at most |pattern| x |type| pairs are tried.
 */
export function topicMatches(pattern: string, type: string): boolean {
  return matchWords(pattern.split('.'), 0, type.split('.'), 0);
}

export function matchWords(p: string[], i: number, t: string[], j: number, failed: Set<number> = new Set()): boolean {
  while (i < p.length) {
    const word = p[i];
    if (word === '#') {
      if (i === p.length - 1) return true;
      for (let k = j; k <= t.length; k++) {
        const state = (i + 1) * (t.length + 1) + k;
        if (failed.has(state)) continue;
        if (matchWords(p, i + 1, t, k, failed)) return true;
        failed.add(state);
      }
      return false;
    }
    if (j >= t.length) return false;
    if (word !== '*' && word !== t[j]) return false;
    i++;
    j++;
  }
  return j === t.length;
}

export function matchesAny(patterns: readonly string[], type: string): boolean {
  for (const pattern of patterns) if (topicMatches(pattern, type)) return true;
  return false;
}
