// Which plugins an event type reaches. A table is immutable: the host builds
// a new one when subscriptions change and swaps its reference in one
// assignment, so an in-flight match never sees a half-updated table.
import { PlexusError } from '@plexus/plugin-sdk';
import { isValidEventType, topicPatternProblem } from '@plexus/plugin-sdk/runtime';
import { buildTopicTrie, matchTopicTrie, type TopicTrie } from './topic-trie.ts';

const MEMO_LIMIT = 4096;
const NO_KEYS: readonly string[] = Object.freeze([]);

export interface Subscription {
  readonly pluginKey: string;
  readonly patterns: readonly string[];
}

export class RoutingTable {
  static readonly EMPTY: RoutingTable = RoutingTable.build([]);

  /** Plugin keys in the order they were first given: the order `match` answers in. */
  readonly pluginKeys: readonly string[];
  readonly #patterns: ReadonlyMap<string, readonly string[]>;
  readonly #trie: TopicTrie;
  /**
   * Answers by type. A table never changes, so an answer stays right for its
   * life; event streams use few distinct types, and every event is routed, so
   * most lookups are one Map hit instead of a validation and a trie walk.
   * Bounded: cleared when full, so a stream of random types costs memory
   * in proportion to MEMO_LIMIT only.
   */
  readonly #memo = new Map<string, readonly string[]>();

  /**
   * Throws PLEXUS_INVALID_MANIFEST for an invalid pattern or key. Several
   * entries for one plugin key are merged (their patterns are unioned).
   */
  static build(subscriptions: readonly Subscription[]): RoutingTable {
    const patterns = new Map<string, string[]>();
    for (const { pluginKey, patterns: given } of subscriptions) {
      if (typeof pluginKey !== 'string' || pluginKey.length === 0) throw invalidSubscription(pluginKey, 'pluginKey must be a non-empty string');
      const merged = patterns.get(pluginKey) ?? [];
      given.forEach((pattern, i) => {
        const why = topicPatternProblem(pattern);
        if (why) throw invalidSubscription(pluginKey, `patterns[${i}] ${why}`);
        if (!merged.includes(pattern)) merged.push(pattern);
      });
      patterns.set(pluginKey, merged);
    }
    return new RoutingTable(patterns);
  }

  private constructor(patterns: Map<string, string[]>) {
    this.pluginKeys = Object.freeze([...patterns.keys()]);
    this.#patterns = new Map([...patterns].map(([key, list]) => [key, Object.freeze([...list])]));
    this.#trie = buildTopicTrie(this.#trieEntries());
    Object.freeze(this);
  }

  *#trieEntries(): Generator<{ pattern: string; value: number }> {
    for (const [value, key] of this.pluginKeys.entries()) {
      for (const pattern of this.#patterns.get(key) ?? []) yield { pattern, value };
    }
  }

  /** Subscribed plugin keys, each once, in table order. An invalid type matches nothing. The answer is shared: do not mutate it. */
  match(type: string): readonly string[] {
    const known = this.#memo.get(type);
    if (known !== undefined) return known;
    const keys = isValidEventType(type)
      ? Object.freeze(matchTopicTrie(this.#trie, type).values.sort((a, b) => a - b).map((i) => this.pluginKeys[i] as string))
      : NO_KEYS;
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(type, keys);
    return keys;
  }

  patternsOf(pluginKey: string): readonly string[] | undefined {
    return this.#patterns.get(pluginKey);
  }

  /** A new table where `subscription` replaces any earlier one for its plugin key (kept in place, else appended). */
  with(subscription: Subscription): RoutingTable {
    const replaced = this.#subscriptions().map((s) => (s.pluginKey === subscription.pluginKey ? subscription : s));
    return RoutingTable.build(this.#patterns.has(subscription.pluginKey) ? replaced : [...replaced, subscription]);
  }

  /** A new table without `pluginKey`. */
  without(pluginKey: string): RoutingTable {
    return RoutingTable.build(this.#subscriptions().filter((s) => s.pluginKey !== pluginKey));
  }

  #subscriptions(): Subscription[] {
    return this.pluginKeys.map((pluginKey) => ({ pluginKey, patterns: this.#patterns.get(pluginKey) ?? [] }));
  }
}

function invalidSubscription(pluginKey: unknown, message: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_MANIFEST', `Invalid subscription of "${String(pluginKey)}": ${message}`, {
    details: { pluginKey: String(pluginKey), message },
  });
}
