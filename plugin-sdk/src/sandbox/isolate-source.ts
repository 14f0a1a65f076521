// Builds the source text evaluated in every new plugin context: the topic
// matchers (shared with the host, so in-isolate and host checks agree), the
// Intl charge (intl-charge.ts), the realm's hardening (realm-hardening.ts),
// the capabilities (isolate-capabilities.ts), then the bootstrap, called with
// the host references evalClosure passes as $0..$4, its runner wrapped by
// guardRunner (runner-guard.ts).
import { matchWords, matchesAny, topicMatches } from '../topics.ts';
import { chargeIntlToHeap } from './intl-charge.ts';
import { isolateBootstrap } from './isolate-bootstrap.ts';
import { isolateCapabilities } from './isolate-capabilities.ts';
import { hardenRealm } from './realm-hardening.ts';
import { guardRunner } from './runner-guard.ts';

export const BOOTSTRAP_SOURCE = [
  matchWords.toString(),
  topicMatches.toString(),
  matchesAny.toString(),
  chargeIntlToHeap.toString(),
  hardenRealm.toString(),
  isolateCapabilities.toString(),
  guardRunner.toString(),
  `return guardRunner((${isolateBootstrap.toString()})($0, $1, $2, $3, $4));`,
].join('\n');
