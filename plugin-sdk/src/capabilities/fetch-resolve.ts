// Rule 3 of the fetch capability: resolve the granted name ourselves, check
// every address, and hand back the checked addresses for the connection to be
// pinned to. Resolving once and connecting only to what was checked is what
// makes DNS rebinding (public answer at check time, private at connect time)
// impossible.
import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { PlexusError } from '../errors.ts';
import { classifyAddress, isPrivateNetworkClass } from './fetch-address-policy.ts';
import type { FetchDeadline } from './fetch-deadline.ts';
import type { LookupTurns } from './fetch-lookup-turns.ts';
import { deniedError, type FetchTarget } from './fetch-target.ts';

/** Every address a name resolves to; injectable so tests never touch real DNS. */
export type FetchLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemLookup: FetchLookup = (hostname) => dns.lookup(hostname, { all: true, order: 'verbatim' });

/** Whose lookup this is and the turns it waits for (fetch-lookup-turns.ts). */
export interface LookupTurn {
  readonly turns: LookupTurns;
  readonly caller: string;
}

export interface PinnedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export async function resolvePinned(
  target: FetchTarget,
  allowPrivateNetwork: boolean,
  lookup: FetchLookup,
  deadline: FetchDeadline,
  turn?: LookupTurn,
): Promise<PinnedAddress[]> {
  if (target.isIpLiteral) return [pin(target.connectHost)];
  let answers: readonly LookupAddress[];
  try {
    // The wait for a turn is inside the race: it counts against the fetch's
    // time limit, and one that outlasts it is PLEXUS_TIMEOUT like a slow lookup.
    answers = await deadline.race(turn === undefined ? lookup(target.connectHost) : lookupInTurn(lookup, target.connectHost, turn, deadline.signal));
  } catch (err) {
    if (err instanceof PlexusError) throw err;
    throw new PlexusError('PLEXUS_UNAVAILABLE', `fetch to ${target.label} failed: the host name could not be resolved`, { cause: err });
  }
  if (!Array.isArray(answers) || answers.length === 0) {
    throw new PlexusError('PLEXUS_UNAVAILABLE', `fetch to ${target.label} failed: the host name resolved to no address`);
  }
  const addresses = answers.map((answer) => String(answer.address));
  // "localhost" is a grant for the loopback interface, whatever the resolver
  // says: keep only loopback answers rather than trusting /etc/hosts or DNS.
  if (target.hostname === 'localhost') {
    const loopback = addresses.filter((a) => classifyAddress(a) === 'loopback');
    if (loopback.length === 0) throw deniedError(target.label, 'localhost did not resolve to a loopback address');
    return loopback.map(pin);
  }
  // Every answer must pass, not just the first: the connection may try any of them.
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls === 'public' || (allowPrivateNetwork && isPrivateNetworkClass(cls))) continue;
    throw deniedError(target.label, `${target.hostname} resolves to a ${cls} address (${address})`);
  }
  return addresses.map(pin);
}

/** Waits for a turn, then looks up; the turn is given back when the lookup settles, however long after its fetch gave up on it. */
async function lookupInTurn(lookup: FetchLookup, hostname: string, turn: LookupTurn, signal: AbortSignal): Promise<readonly LookupAddress[]> {
  const done = await turn.turns.take(turn.caller, signal);
  let answers: Promise<readonly LookupAddress[]>;
  try {
    answers = Promise.resolve(lookup(hostname));
  } catch (err) {
    done();
    throw err;
  }
  answers.then(done, done);
  return answers;
}

function pin(address: string): PinnedAddress {
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}
