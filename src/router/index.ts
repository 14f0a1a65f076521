// Topic routing (CONTRACT §2): event type → subscribed plugin keys.
export { RoutingTable } from './routing-table.ts';
export type { Subscription } from './routing-table.ts';
export { buildTopicTrie, matchTopicTrie } from './topic-trie.ts';
export type { TopicTrie, TrieMatch } from './topic-trie.ts';
