// A trie over dot-separated topic patterns (CONTRACT §2: `*` one word, `#`
// zero or more). Matching walks the trie along the type's words, so its cost
// depends on the type and on the patterns that share its prefixes, never on
// how many other patterns exist. Built once, then only read.

export interface TopicTrie {
  readonly root: TrieNode;
}

interface TrieNode {
  readonly id: number;
  readonly words: Map<string, TrieNode>;
  star: TrieNode | undefined;
  hash: TrieNode | undefined;
  /** Values of the patterns that end at this node. */
  readonly values: number[];
}

export interface TrieMatch {
  /** Values of every matching pattern, each once, in no particular order. */
  readonly values: number[];
  /** (node, word position) states the walk visited: the measure of its cost. */
  readonly statesVisited: number;
}

/** Each pattern carries a value (e.g. a plugin's index) that `match` reports; syntax must already be checked. */
export function buildTopicTrie(entries: Iterable<{ readonly pattern: string; readonly value: number }>): TopicTrie {
  let nextId = 0;
  const newNode = (): TrieNode => ({ id: nextId++, words: new Map(), star: undefined, hash: undefined, values: [] });
  const root = newNode();
  for (const { pattern, value } of entries) {
    let node = root;
    for (const word of pattern.split('.')) {
      if (word === '*') node = node.star ??= newNode();
      else if (word === '#') node = node.hash ??= newNode();
      else {
        let child = node.words.get(word);
        if (!child) node.words.set(word, (child = newNode()));
        node = child;
      }
    }
    if (!node.values.includes(value)) node.values.push(value);
  }
  return { root };
}

export function matchTopicTrie(trie: TopicTrie, type: string): TrieMatch {
  const words = type.split('.');
  const stride = words.length + 1;
  // Several `#` can reach one node at one position by different paths; each
  // state is expanded once, which bounds the walk by states, not by paths.
  const seen = new Set<number>();
  const found = new Set<number>();
  const walk = (node: TrieNode, at: number): void => {
    const state = node.id * stride + at;
    if (seen.has(state)) return;
    seen.add(state);
    if (node.hash) for (let next = at; next <= words.length; next++) walk(node.hash, next);
    if (at === words.length) {
      for (const value of node.values) found.add(value);
      return;
    }
    const child = node.words.get(words[at] as string);
    if (child) walk(child, at + 1);
    if (node.star) walk(node.star, at + 1);
  };
  walk(trie.root, 0);
  return { values: [...found], statesVisited: seen.size };
}
