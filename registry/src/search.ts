// `GET /-/v1/search` in the npm registry's response format (what `npm search`
// parses). Matching is plain relevance over the stored packuments: every word
// of the query must appear in the name, keywords or description; qualifiers
// `keywords:a,b` (any of) and `scope:acme` filter. There are no popularity or
// quality metrics here, so those score details are reported as 0.
import { PlexusError } from '@plexus/plugin-sdk';
import { searchScopeOf } from './package-name.ts';
import { latestManifest, type Packument, type VersionManifest } from './packument.ts';

export interface SearchQuery {
  text: string;
  size: number;
  from: number;
}

export interface SearchObject {
  package: {
    name: string;
    scope: string;
    version: string;
    description: string;
    keywords: string[];
    date: string;
    links: Record<string, string>;
    publisher: { username: string };
    maintainers: { username: string; email: string }[];
  };
  score: { final: number; detail: { quality: number; popularity: number; maintenance: number } };
  searchScore: number;
}

export interface SearchResponse {
  objects: SearchObject[];
  total: number;
  time: string;
}

interface ParsedText {
  words: string[];
  keywords: string[];
  scope: string | undefined;
}

export const MAX_SEARCH_SIZE = 250;

export function parseSearchQuery(query: Record<string, unknown>): SearchQuery {
  const text = typeof query.text === 'string' ? query.text : '';
  return { text, size: intParam(query.size, 'size', 20, 1, MAX_SEARCH_SIZE), from: intParam(query.from, 'from', 0, 0, Number.MAX_SAFE_INTEGER) };
}

export function parseSearchText(text: string): ParsedText {
  const parsed: ParsedText = { words: [], keywords: [], scope: undefined };
  for (const token of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    if (token.startsWith('keywords:')) parsed.keywords.push(...token.slice('keywords:'.length).split(',').filter(Boolean));
    else if (token.startsWith('scope:')) parsed.scope = token.slice('scope:'.length).replace(/^@/, '');
    else parsed.words.push(token);
  }
  return parsed;
}

/** Relevance of one package, 0 = no match. Exact name beats name part beats keyword beats description. */
export function relevance(doc: Packument, latest: VersionManifest, text: ParsedText): number {
  const keywords = keywordsOf(latest).map((k) => k.toLowerCase());
  if (text.scope !== undefined && searchScopeOf(doc.name) !== text.scope) return 0;
  if (text.keywords.length > 0 && !text.keywords.some((k) => keywords.includes(k))) return 0;
  const description = typeof latest.description === 'string' ? latest.description.toLowerCase() : '';
  let score = 1;
  for (const word of text.words) {
    if (doc.name === word) score += 10;
    else if (doc.name.includes(word)) score += 4;
    else if (keywords.includes(word)) score += 3;
    else if (keywords.some((k) => k.includes(word))) score += 2;
    else if (description.includes(word)) score += 1;
    else return 0;
  }
  return score;
}

export function searchPackuments(docs: readonly Packument[], query: SearchQuery, now: Date): SearchResponse {
  const text = parseSearchText(query.text);
  const hits = docs
    .map((doc) => ({ doc, latest: latestManifest(doc) }))
    .filter((hit): hit is { doc: Packument; latest: VersionManifest } => hit.latest !== undefined)
    .map((hit) => ({ ...hit, score: relevance(hit.doc, hit.latest, text) }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.doc.name.localeCompare(b.doc.name));
  const best = hits[0]?.score ?? 1;
  const objects = hits.slice(query.from, query.from + query.size).map((hit) => searchObject(hit.doc, hit.latest, hit.score, best));
  return { objects, total: hits.length, time: now.toISOString() };
}

function searchObject(doc: Packument, latest: VersionManifest, score: number, best: number): SearchObject {
  const publisher = (latest._npmUser as { name?: unknown } | undefined)?.name;
  return {
    package: {
      name: doc.name,
      scope: searchScopeOf(doc.name),
      version: latest.version,
      description: typeof latest.description === 'string' ? latest.description : '',
      keywords: keywordsOf(latest),
      date: doc.time[latest.version] ?? doc.time.modified ?? '',
      links: typeof latest.homepage === 'string' ? { homepage: latest.homepage } : {},
      publisher: { username: typeof publisher === 'string' ? publisher : '' },
      maintainers: doc.maintainers.map((m) => ({ username: m.name, email: '' })),
    },
    score: { final: score / best, detail: { quality: 0, popularity: 0, maintenance: 0 } },
    searchScore: score,
  };
}

function keywordsOf(manifest: VersionManifest): string[] {
  return Array.isArray(manifest.keywords) ? manifest.keywords.filter((k): k is string => typeof k === 'string') : [];
}

function intParam(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new PlexusError('PLEXUS_INVALID_REQUEST', `"${name}" must be an integer >= ${min}`);
  return Math.min(n, max);
}
