// The Redis store's write batch (settlements, then accepted events) as one
// Lua script: Redis runs a script without interleaving other commands, which
// makes the batch atomic. A script is not rolled back if it fails half way,
// so it runs in two phases: the first only reads and decides (which
// settlements still apply, dedup claims, id conflicts) and may refuse the
// batch; the second only writes what was decided. Both phases use a few
// multi-key commands per batch rather than several calls per event: each
// redis.call costs about a microsecond, a 1,000-event batch would otherwise
// make ~11,000 of them.
import { LuaScript } from './redis-commands.ts';
import type { RedisKeys } from './redis-keys.ts';

export function batchKeys(k: RedisKeys): string[] {
  return [k.seq, k.journal, k.journalAt, k.journalSeq, k.deliveries, k.refs, k.depth, k.dedup, k.dedupAt, k.dlq, k.dlqEnvelopes, k.dlqAt, k.runBy];
}

/** batchKeys' length: replay claim keys follow it in KEYS. */
export const BATCH_KEY_COUNT = 13;

// ARGV: the writing host, nSettlements, then per settlement: kind (D done, R retry, X dead), id,
//   seq, plugin, payload (R: the delivery JSON, X: the DLQ metadata JSON), deadAt;
// then nInputs, then per input: acceptedAt, dedupExpiresAt, envelope, claim (index in KEYS of its
//   replay claim key, 0 = none), claimTtlMs, cause (AcceptInput.cause: 0 = none, -1 = its settlement was
//   dropped before the script, else the position of its settlement), nDeliveries,
//   then per delivery: id, plugin, dedup field ('' = never a duplicate), JSON tail (redis-codec.ts).
// A claim key holds its expiry time, as seen() writes it (redis-kv.ts).
// A settlement does not apply to a delivery whose run-by names another host: a host whose lease
// lapsed while it lived (a long pause) still holds outcomes of deliveries another host adopted
// meanwhile, and those must not overwrite the adopter's retry, dead-letter or remove what the
// adopter still runs. (Adoption and DLQ replay always write run-by; a delivery without it is
// settled by whoever settles it, as before.)
// Returns { seqs per input ('0' for a replayed or dropped one), '1'/'0' per delivery (created or not),
//   duplicates, 1-based positions of the inputs refused as replays, '1'/'0' per settlement
//   (applied or not: the engine must forget a delivery whose settlement did not apply) }.
export const BATCH_SCRIPT = new LuaScript(`
local SEQ, J, JAT, JSEQ, DEL, REFS, DEPTH, DEDUP, DEDUPAT, DLQ, DLQENV, DLQAT, RUNBY =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]
-- unpack() is limited to a few thousand values: variadic commands go in chunks
local CHUNK = 4000
local function bulk(cmd, key, args)
  for s = 1, #args, CHUNK do redis.call(cmd, key, unpack(args, s, math.min(s + CHUNK - 1, #args))) end
end
local function hmget(key, fields)
  local out = {}
  for s = 1, #fields, CHUNK do
    local part = redis.call('HMGET', key, unpack(fields, s, math.min(s + CHUNK - 1, #fields)))
    for k = 1, #part do out[s + k - 1] = part[k] end
  end
  return out
end
local function push(list, a) list[#list + 1] = a end
local function push2(list, a, b) local n = #list; list[n + 1] = a; list[n + 2] = b end

local i = 1
local function nextArg() local v = ARGV[i]; i = i + 1; return v end
local ME = nextArg()
local settlements, inputs, ids, fields = {}, {}, {}, {}
for s = 1, tonumber(nextArg()) do
  settlements[s] = { kind = nextArg(), id = nextArg(), seq = nextArg(), plugin = nextArg(), payload = nextArg(), deadAt = nextArg() }
  ids[#ids + 1] = settlements[s].id
end
local settledIds = {}
for s = 1, #settlements do settledIds[s] = settlements[s].id end
for n = 1, tonumber(nextArg()) do
  local input = { acceptedAt = nextArg(), expiresAt = nextArg(), envelope = nextArg(), claim = tonumber(nextArg()), claimTtl = nextArg(), cause = tonumber(nextArg()), deliveries = {} }
  for d = 1, tonumber(nextArg()) do
    local del = { id = nextArg(), plugin = nextArg(), field = nextArg(), tail = nextArg(), dup = false }
    input.deliveries[d] = del
    ids[#ids + 1] = del.id
    if del.field ~= '' then fields[#fields + 1] = del.field end
  end
  inputs[n] = input
end

-- phase 1: read and decide
local exists = {}
for k, value in ipairs(hmget(DEL, ids)) do if value then exists[ids[k]] = true end end
local runners = hmget(RUNBY, settledIds)
local dead = {}
for s, st in ipairs(settlements) do
  st.live = exists[st.id] == true and (not runners[s] or runners[s] == ME)
  if st.live and st.kind ~= 'R' then exists[st.id] = nil end
  if st.live and st.kind == 'X' then dead[#dead + 1] = st end
end
-- an emitted event shares its cause's fate: dropped (not journaled, no deliveries, not reported) if that settlement does not apply
for _, input in ipairs(inputs) do
  if input.cause < 0 or (input.cause > 0 and not settlements[input.cause].live) then input.dropped = true end
end
local deadSeqs = {}
for k, st in ipairs(dead) do deadSeqs[k] = st.seq end
for k, envelope in ipairs(hmget(J, deadSeqs)) do
  if not envelope then return redis.error_reply('PLEXUS_INTERNAL journal entry ' .. dead[k].seq .. ' of delivery ' .. dead[k].id .. ' is missing') end
  dead[k].envelope = envelope
end
-- replay claims, in input order: a key recorded and unexpired (or taken by an earlier input of this batch) refuses its input
local replayed, takenNow = {}, {}
for n, input in ipairs(inputs) do
  if input.claim > 0 and not input.dropped then
    local key, at = KEYS[input.claim], tonumber(input.acceptedAt)
    local expires = redis.call('GET', key)
    if takenNow[key] or (expires and tonumber(expires) > at) then
      input.replayed = true
      replayed[#replayed + 1] = tostring(n)
    else
      takenNow[key] = true
    end
  end
end
local claims = {}
for k, value in ipairs(hmget(DEDUP, fields)) do claims[fields[k]] = value and tonumber(value) or -math.huge end
local skipped = 0
for _, input in ipairs(inputs) do
  if input.dropped then input.replayed = true; skipped = skipped + 1 end
  local at, expiresAt = tonumber(input.acceptedAt), tonumber(input.expiresAt)
  for _, del in ipairs(input.deliveries) do
    if input.replayed then del.dup = true end
    if del.field ~= '' and not input.replayed then
      if claims[del.field] > at then del.dup = true else claims[del.field] = expiresAt end
    end
    if not del.dup then
      if exists[del.id] then
        return redis.error_reply('PLEXUS_CONFLICT a pending delivery with id "' .. del.id .. '" already exists')
      end
      exists[del.id] = true
    end
  end
end

-- phase 2: write
local refDelta, depthDelta = {}, {}
local function count(map, key, delta) map[key] = (map[key] or 0) + delta end
local retried, removed, dlq, dlqEnv, dlqAt = {}, {}, {}, {}, {}
for _, st in ipairs(settlements) do
  if st.live and st.kind == 'R' then
    push2(retried, st.id, st.payload)
  elseif st.live then
    push(removed, st.id)
    count(refDelta, st.seq, -1)
    count(depthDelta, st.plugin, -1)
    if st.kind == 'X' then
      push2(dlq, st.id, st.payload)
      push2(dlqEnv, st.id, st.envelope)
      push2(dlqAt, st.deadAt, st.id)
    end
  end
end
-- retries before removals: [retry d, done d] must end with d removed
bulk('HSET', DEL, retried)
bulk('HDEL', DEL, removed)
bulk('HDEL', RUNBY, removed)
bulk('HSET', DLQ, dlq)
bulk('HSET', DLQENV, dlqEnv)
bulk('ZADD', DLQAT, dlqAt)

local seqs, flags, duplicates = {}, {}, 0
local journal, byTime, bySeq, created, claimed, claimedAt = {}, {}, {}, {}, {}, {}
local base, admitted = 0, #inputs - #replayed - skipped
if admitted > 0 then base = redis.call('INCRBY', SEQ, admitted) - admitted end
local m = 0
for n, input in ipairs(inputs) do
  local seq = '0'
  if not input.replayed then
    m = m + 1
    seq = string.format('%d', base + m)
    push2(journal, seq, input.envelope)
    push2(byTime, input.acceptedAt, seq)
    push2(bySeq, seq, seq)
    if input.claim > 0 then
      local ttl = tonumber(input.claimTtl)
      redis.call('SET', KEYS[input.claim], string.format('%d', tonumber(input.acceptedAt) + ttl), 'PX', ttl)
    end
  end
  seqs[n] = seq
  for _, del in ipairs(input.deliveries) do
    if input.replayed then
      flags[#flags + 1] = '0'
    elseif del.dup then
      duplicates = duplicates + 1
      flags[#flags + 1] = '0'
    else
      if del.field ~= '' then
        push2(claimed, del.field, input.expiresAt)
        push2(claimedAt, input.expiresAt, del.field)
      end
      push2(created, del.id, '{"seq":' .. seq .. ',' .. del.tail)
      count(refDelta, seq, 1)
      count(depthDelta, del.plugin, 1)
      flags[#flags + 1] = '1'
    end
  end
end
bulk('HSET', J, journal)
bulk('ZADD', JAT, byTime)
bulk('ZADD', JSEQ, bySeq)
bulk('HSET', DEL, created)
bulk('HSET', DEDUP, claimed)
bulk('ZADD', DEDUPAT, claimedAt)

local refSeqs = {}
for seq in pairs(refDelta) do refSeqs[#refSeqs + 1] = seq end
local kept, dropped = {}, {}
for k, old in ipairs(hmget(REFS, refSeqs)) do
  local seq = refSeqs[k]
  local now = (tonumber(old) or 0) + refDelta[seq]
  if now > 0 then push2(kept, seq, now) else push(dropped, seq) end
end
bulk('HSET', REFS, kept)
bulk('HDEL', REFS, dropped)
for plugin, delta in pairs(depthDelta) do
  if delta ~= 0 and redis.call('HINCRBY', DEPTH, plugin, delta) <= 0 then redis.call('HDEL', DEPTH, plugin) end
end
local applied = {}
for s, st in ipairs(settlements) do applied[s] = st.live and '1' or '0' end
return { seqs, table.concat(flags), duplicates, replayed, table.concat(applied) }
`, { once: true });
