// Builds the source text evaluated in every new plugin context: the topic
// matchers (shared with the host, so in-isolate and host checks agree), then
// the bootstrap, called with the host references evalClosure passes as $0..$3.
import { matchWords, matchesAny, topicMatches } from '../topics.ts';
import { isolateBootstrap } from './isolate-bootstrap.ts';

export const BOOTSTRAP_SOURCE = [
  matchWords.toString(),
  topicMatches.toString(),
  matchesAny.toString(),
  `return (${isolateBootstrap.toString()})($0, $1, $2, $3);`,
].join('\n');
