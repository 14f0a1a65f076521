// The Redis store's smaller scripts: retention and the two ways deliveries
// are made again (DLQ replay, journal redelivery). Each one either refuses
// before writing (redis.error_reply) or writes everything it decided: Redis
// does not roll a script back.
import { LuaScript } from './redis-commands.ts';
import type { RedisKeys } from './redis-keys.ts';

/**
 * Drops up to ARGV[2] journal entries accepted before ARGV[1], skipping the
 * first ARGV[3] old entries (those kept earlier in the same prune). An entry
 * still referenced by a pending delivery is kept. Returns { deleted, kept, seen }.
 */
export const PRUNE_JOURNAL = new LuaScript(`
local seqs = redis.call('ZRANGE', KEYS[2], '-inf', '(' .. ARGV[1], 'BYSCORE', 'LIMIT', ARGV[3], ARGV[2])
local deleted, kept = 0, 0
for _, seq in ipairs(seqs) do
  if redis.call('HEXISTS', KEYS[4], seq) == 1 then
    kept = kept + 1
  else
    redis.call('HDEL', KEYS[1], seq)
    redis.call('ZREM', KEYS[2], seq)
    redis.call('ZREM', KEYS[3], seq)
    deleted = deleted + 1
  end
end
return { deleted, kept, #seqs }
`);

export const pruneJournalKeys = (k: RedisKeys): string[] => [k.journal, k.journalAt, k.journalSeq, k.refs];

/** Drops up to ARGV[2] members of sorted set KEYS[1] scored at most ARGV[1], and their fields in the hashes KEYS[2..]. */
export const DROP_BY_SCORE = new LuaScript(`
local members = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
if #members == 0 then return 0 end
for k = 2, #KEYS do redis.call('HDEL', KEYS[k], unpack(members)) end
redis.call('ZREM', KEYS[1], unpack(members))
return #members
`);

/** Removes the DLQ entries ARGV (at most a few thousand: unpack's limit); returns how many existed. */
export const DROP_DLQ = new LuaScript(`
local n = redis.call('HDEL', KEYS[1], unpack(ARGV))
redis.call('HDEL', KEYS[2], unpack(ARGV))
redis.call('ZREM', KEYS[3], unpack(ARGV))
return n
`, { once: true });

export const dlqKeys = (k: RedisKeys): string[] => [k.dlq, k.dlqEnvelopes, k.dlqAt];

/**
 * DLQ replay. ARGV[1]: the replaying host (it runs the replayed deliveries,
 * whichever host their ids name); then per entry: id, seq, plugin,
 * acceptedAt, delivery JSON.
 * An entry gone from the DLQ (replayed or purged meanwhile) is skipped; a
 * journal entry pruned since is restored from the DLQ's envelope under its
 * old seq. Returns '1'/'0' per entry (replayed or skipped).
 */
export const REPLAY_DLQ = new LuaScript(`
local J, JAT, JSEQ, DEL, REFS, DEPTH, DLQ, DLQENV, DLQAT, RUNBY = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local ME = ARGV[1]
local entries, creating = {}, {}
for k = 2, #ARGV, 5 do
  local e = { id = ARGV[k], seq = ARGV[k + 1], plugin = ARGV[k + 2], acceptedAt = ARGV[k + 3], json = ARGV[k + 4] }
  e.live = (not creating[e.id]) and redis.call('HEXISTS', DLQ, e.id) == 1
  if e.live then
    if redis.call('HEXISTS', DEL, e.id) == 1 then
      return redis.error_reply('PLEXUS_CONFLICT a pending delivery with id "' .. e.id .. '" already exists')
    end
    e.envelope = redis.call('HGET', DLQENV, e.id)
    if not e.envelope then return redis.error_reply('PLEXUS_INTERNAL DLQ entry ' .. e.id .. ' has no envelope') end
    creating[e.id] = true
  end
  entries[#entries + 1] = e
end
local flags = {}
for n, e in ipairs(entries) do
  flags[n] = '0'
  if e.live then
    if redis.call('HSETNX', J, e.seq, e.envelope) == 1 then
      redis.call('ZADD', JAT, e.acceptedAt, e.seq)
      redis.call('ZADD', JSEQ, e.seq, e.seq)
    end
    redis.call('HSET', DEL, e.id, e.json)
    redis.call('HSET', RUNBY, e.id, ME)
    redis.call('HINCRBY', REFS, e.seq, 1)
    redis.call('HINCRBY', DEPTH, e.plugin, 1)
    redis.call('HDEL', DLQ, e.id)
    redis.call('HDEL', DLQENV, e.id)
    redis.call('ZREM', DLQAT, e.id)
    flags[n] = '1'
  end
end
return table.concat(flags)
`, { once: true });

export const replayKeys = (k: RedisKeys): string[] => [k.journal, k.journalAt, k.journalSeq, k.deliveries, k.refs, k.depth, k.dlq, k.dlqEnvelopes, k.dlqAt, k.runBy];

/**
 * Journal redelivery. ARGV per delivery: seq, id, plugin, delivery JSON. A
 * delivery whose journal entry is gone (pruned meanwhile) is skipped.
 * Returns '1'/'0' per delivery.
 */
export const REDELIVER = new LuaScript(`
local J, DEL, REFS, DEPTH = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local items, creating = {}, {}
for k = 1, #ARGV, 4 do
  local d = { seq = ARGV[k], id = ARGV[k + 1], plugin = ARGV[k + 2], json = ARGV[k + 3] }
  d.live = redis.call('HEXISTS', J, d.seq) == 1
  if d.live then
    if creating[d.id] or redis.call('HEXISTS', DEL, d.id) == 1 then
      return redis.error_reply('PLEXUS_CONFLICT a pending delivery with id "' .. d.id .. '" already exists')
    end
    creating[d.id] = true
  end
  items[#items + 1] = d
end
local flags = {}
for n, d in ipairs(items) do
  flags[n] = '0'
  if d.live then
    redis.call('HSET', DEL, d.id, d.json)
    redis.call('HINCRBY', REFS, d.seq, 1)
    redis.call('HINCRBY', DEPTH, d.plugin, 1)
    flags[n] = '1'
  end
end
return table.concat(flags)
`, { once: true });

export const redeliverKeys = (k: RedisKeys): string[] => [k.journal, k.deliveries, k.refs, k.depth];
