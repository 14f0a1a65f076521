// Operator grants (`--grant kv`, `--grant emit:orders.*`, `--grant http:host`,
// `--grant secrets:NAME`) and the effective set: requested ∩ granted
// (CONTRACT §4). Pure functions.
import { PlexusError } from '../errors.ts';
import { matchesAny, topicPatternProblem } from '../topics.ts';
import type { CapabilityRequest } from '../types.ts';
import { isValidHostGrant } from './host-grant.ts';

export interface GrantSet {
  kv: boolean;
  emit: string[];
  http: string[];
  secrets: string[];
}

/** What the sandbox enforces. `emit` keeps both sides: a type must match a requested AND a granted pattern. */
export interface EffectiveCapabilities {
  kv: boolean;
  emit: { requested: string[]; granted: string[] } | null;
  http: string[];
  secrets: string[];
}

export const NO_CAPABILITIES: EffectiveCapabilities = Object.freeze({ kv: false, emit: null, http: [], secrets: [] });

export function parseGrants(grants: readonly string[]): GrantSet {
  const set: GrantSet = { kv: false, emit: [], http: [], secrets: [] };
  for (const grant of grants) {
    const colon = grant.indexOf(':');
    const kind = colon === -1 ? grant : grant.slice(0, colon);
    const target = colon === -1 ? '' : grant.slice(colon + 1);
    if (kind === 'kv' && target === '') set.kv = true;
    else if (kind === 'emit' && !topicPatternProblem(target)) set.emit.push(target);
    else if (kind === 'http' && isValidHostGrant(target)) set.http.push(target.toLowerCase());
    else if (kind === 'secrets' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(target)) set.secrets.push(target);
    else throw new PlexusError('PLEXUS_INVALID_REQUEST', `Unknown or malformed grant "${grant}" (expected kv, emit:<pattern>, http:<host[:port]> or secrets:<NAME>)`);
  }
  return set;
}

export function effectiveCapabilities(request: CapabilityRequest | undefined, grants: GrantSet): EffectiveCapabilities {
  const req = request ?? {};
  const emitRequested = req.emit ?? [];
  const grantedHosts = new Set(grants.http);
  const grantedSecrets = new Set(grants.secrets);
  return {
    kv: req.kv === true && grants.kv,
    emit: emitRequested.length > 0 && grants.emit.length > 0 ? { requested: [...emitRequested], granted: [...grants.emit] } : null,
    http: (req.http?.hosts ?? []).map((h) => h.toLowerCase()).filter((h) => grantedHosts.has(h)),
    secrets: (req.secrets ?? []).filter((s) => grantedSecrets.has(s)),
  };
}

export function canEmit(caps: EffectiveCapabilities, type: string): boolean {
  return caps.emit !== null && matchesAny(caps.emit.requested, type) && matchesAny(caps.emit.granted, type);
}

/** Requested items no grant covers, as grant strings: what an operator must add before an upgrade activates. */
export function missingGrants(request: CapabilityRequest | undefined, grants: GrantSet): string[] {
  const req = request ?? {};
  const missing: string[] = [];
  if (req.kv === true && !grants.kv) missing.push('kv');
  for (const p of req.emit ?? []) if (!grants.emit.some((g) => patternCovers(g, p))) missing.push(`emit:${p}`);
  for (const h of req.http?.hosts ?? []) if (!grants.http.includes(h.toLowerCase())) missing.push(`http:${h.toLowerCase()}`);
  for (const s of req.secrets ?? []) if (!grants.secrets.includes(s)) missing.push(`secrets:${s}`);
  return missing;
}

/** True when every type `inner` matches is also matched by `outer` (conservative: false when unsure). */
export function patternCovers(outer: string, inner: string): boolean {
  const g = outer.split('.');
  const p = inner.split('.');
  // Each (i, j) is decided once: several `#` would otherwise backtrack exponentially (see topicMatches).
  const memo = new Map<number, boolean>();
  const covers = (i: number, j: number): boolean => {
    const state = i * (p.length + 1) + j;
    const known = memo.get(state);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === g.length) result = j === p.length;
    else if (g[i] === '#') result = covers(i + 1, j) || (j < p.length && covers(i, j + 1));
    else if (j === p.length || p[j] === '#') result = false;
    else result = (g[i] === '*' || g[i] === p[j]) && (g[i] === '*' || p[j] !== '*') && covers(i + 1, j + 1);
    memo.set(state, result);
    return result;
  };
  return covers(0, 0);
}
