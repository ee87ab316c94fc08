// Lua for the circuit breaker per (target, credential): a hash with the consecutive retryable
// failures, `openUntil` (ms) once they reach the threshold, and `probe` (ms) while half-open.
// Used by circuit-breaker.ts and by the processor's claim/finish scripts.
export const circuitKey = (prefix: string, credential: string) => `${prefix}:circuit:${credential}`

export const circuitLua = `
local function circuit_key(p, credential) return p .. ':circuit:' .. credential end

-- 0: go ahead; otherwise how many ms to wait before asking again.
local function circuit_admit(k, now, cooldown)
  local openUntil = tonumber(redis.call('HGET', k, 'openUntil') or 0)
  if openUntil == 0 then return 0 end
  if now < openUntil then return openUntil - now end
  -- Half-open: the first caller becomes the probe; the others wait for its outcome.
  if redis.call('HSETNX', k, 'probe', now) == 1 then return 0 end
  local probeAt = tonumber(redis.call('HGET', k, 'probe'))
  -- A probe that never reported (its worker died) is replaced after a cooldown.
  if now - probeAt > cooldown then redis.call('HSET', k, 'probe', now) return 0 end
  return math.max(100, math.floor(cooldown / 4))
end

-- One more retryable failure: opens the circuit at the threshold, or at once if the probe failed.
local function circuit_failure(k, now, threshold, cooldown)
  local failures = redis.call('HINCRBY', k, 'failures', 1)
  if failures >= threshold or redis.call('HEXISTS', k, 'probe') == 1 then
    redis.call('HSET', k, 'openUntil', now + cooldown)
    redis.call('HDEL', k, 'probe')
  end
  redis.call('PEXPIRE', k, cooldown * 10)
  return failures
end

-- A call went through: closed again, failures forgotten.
local function circuit_success(k)
  redis.call('DEL', k)
end
`
