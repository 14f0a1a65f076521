// Plugin kv and webhook replay keys on Redis. Expiry is decided against the
// caller's `now` (stored next to the value), like SQLite, so the host and the
// tests control time; PX/PEXPIRE only lets Redis reclaim the key afterwards.
// A kv entry is a hash {v: JSON text, x: expiresAt ms (absent: no expiry)}.
import type { Redis } from 'ioredis';
import { command, LuaScript, optionalStrings } from './redis-commands.ts';
import { kvKey, seenKey, type RedisKeys } from './redis-keys.ts';
import { checkIncrement } from '@plexus/plugin-sdk/runtime';

const SET = new LuaScript(`
redis.call('DEL', KEYS[1])
if ARGV[2] == '' then
  redis.call('HSET', KEYS[1], 'v', ARGV[1])
else
  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'x', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
`);

const DELETE = new LuaScript(`
local entry = redis.call('HMGET', KEYS[1], 'v', 'x')
if not entry[1] then return 0 end
redis.call('DEL', KEYS[1])
if entry[2] and tonumber(entry[2]) <= tonumber(ARGV[1]) then return 0 end
return 1
`, { once: true });

// is_json_number is the grammar of the SDK's kv-number.ts. The sum is the same IEEE
// double addition JavaScript does, written with the fewest digits that read
// back as the same double (integers without an exponent), so both stores
// return the same number. ARGV: by, now, key (for the error message).
const INCR = new LuaScript(`
local function is_json_number(s)
  local i = 1
  if string.sub(s, 1, 1) == '-' then i = 2 end
  local int = string.match(s, '^%d+', i)
  if not int or (#int > 1 and string.sub(int, 1, 1) == '0') then return false end
  i = i + #int
  local frac = string.match(s, '^%.%d+', i)
  if frac then i = i + #frac end
  local exp = string.match(s, '^[eE][+-]?%d+', i)
  if exp then i = i + #exp end
  return i == #s + 1
end
local entry = redis.call('HMGET', KEYS[1], 'v', 'x')
local value, expires = entry[1], entry[2]
if value and expires and tonumber(expires) <= tonumber(ARGV[2]) then value, expires = false, false end
local base = 0
if value then
  if not is_json_number(value) then
    return redis.error_reply('PLEXUS_INVALID_REQUEST kv incr: the value of "' .. ARGV[3] .. '" is not a JSON number')
  end
  base = tonumber(value)
end
local sum = base + tonumber(ARGV[1])
if sum ~= sum or sum == math.huge or sum == -math.huge then
  return redis.error_reply('PLEXUS_INVALID_REQUEST kv incr: the result for "' .. ARGV[3] .. '" is not a finite number')
end
local text
if sum == math.floor(sum) and math.abs(sum) < 2^53 then
  text = string.format('%d', sum)
else
  for digits = 1, 17 do
    text = string.format('%.' .. digits .. 'g', sum)
    if tonumber(text) == sum then break end
  end
end
if expires then
  redis.call('HSET', KEYS[1], 'v', text)
else
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'v', text)
end
return text
`, { once: true });

const SEEN = new LuaScript(`
local expires = redis.call('GET', KEYS[1])
if expires and tonumber(expires) > tonumber(ARGV[1]) then return 1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 0
`, { once: true });

export async function kvGet(redis: Redis, keys: RedisKeys, ns: string, key: string, now: number): Promise<string | null> {
  const [value, expires] = optionalStrings(await command(redis, 'HMGET', [kvKey(keys, ns, key), 'v', 'x']));
  if (value == null || (expires != null && Number(expires) <= now)) return null;
  return value;
}

export async function kvSet(redis: Redis, keys: RedisKeys, ns: string, key: string, value: string, ttlMs: number | null, now: number): Promise<void> {
  await SET.run(redis, [kvKey(keys, ns, key)], ttlMs === null ? [value, '', ''] : [value, now + ttlMs, ttlMs]);
}

export async function kvDelete(redis: Redis, keys: RedisKeys, ns: string, key: string, now: number): Promise<boolean> {
  return Number(await DELETE.run(redis, [kvKey(keys, ns, key)], [now])) === 1;
}

export async function kvIncr(redis: Redis, keys: RedisKeys, ns: string, key: string, by: number, now: number): Promise<number> {
  return Number(await INCR.run(redis, [kvKey(keys, ns, key)], [checkIncrement(by), now, key]));
}

export async function seen(redis: Redis, keys: RedisKeys, key: string, ttlMs: number, now: number): Promise<boolean> {
  return Number(await SEEN.run(redis, [seenKey(keys, key)], [now, now + ttlMs, ttlMs])) === 1;
}

export async function forget(redis: Redis, keys: RedisKeys, key: string): Promise<void> {
  await command(redis, 'DEL', [seenKey(keys, key)]);
}
