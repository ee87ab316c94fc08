// Lua for the token bucket per (target, credential): tokens and the time they were counted in one
// hash; the refill is computed on each take. Used by rate-limit.ts and by the processor's claim script.
export const bucketKey = (prefix: string, credential: string) => `${prefix}:bucket:${credential}`

export const bucketLua = `
local function bucket_key(p, credential) return p .. ':bucket:' .. credential end

-- Takes one token: 0 if there was one, otherwise how many ms until there is.
local function bucket_take(k, rate, burst, now)
  local tokens = tonumber(redis.call('HGET', k, 't') or burst)
  local at = tonumber(redis.call('HGET', k, 'at') or now)
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  local wait = 0
  if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
  redis.call('HSET', k, 't', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', k, math.ceil(burst * 1000 / rate) + 1000)
  return wait
end
`
