// The processor's step before a send (a Lua function of the steps script, lua/steps.ts): reads the
// record, then — in this order, as one atomic step — skips what is not to be worked, parks what is
// paused, waits on an open circuit or an empty bucket (no attempt counted), and otherwise moves the
// delivery to in_progress with one more attempt.

/**
 * claim(args), needing the record, pause, circuit and bucket functions before it. args: 1 prefix,
 * 2 delivery id, 3 the job's replay number, 4 now (ms), 5 now (ISO),
 * 6 statuses a delivery is worked from (those in_progress may follow), 7 those paused may follow,
 * 8 the credential key, or '' to work it out from the record as `<target>|<tenant>[|<meta field>]`,
 * 9 that meta field ('' none), 10 circuit cooldown (ms), 11 rate per second ('' no rate limit), 12 burst,
 * 13 prefetch: a hash key prefix ('' none) to read field `meta[args[14]]` of `<args[13]><tenant>` from, for the send.
 *
 * Answers {'skip'} | {'paused', record} | {'wait', 'circuit' | 'rate_limit', ms} | {'go', record, credential, attempt, prefetched},
 * the record as record_values gives it, read before this step changed it; prefetched nil when absent.
 */
export const claimLua = `
local function claim(args)
local p, id, replay, now, nowIso = args[1], args[2], tonumber(args[3]), tonumber(args[4]), args[5]
local workable, pausable = args[6], args[7]

local flat = redis.call('HGETALL', record_key(p, id))
local h = {}
for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
-- Expired, already finished, or a replay's job overtaken by a newer replay.
if not h.data or not listed(workable, h.status) or tonumber(h.replays or 0) ~= replay then return {'skip'} end
local data = routing(h.data)

if paused_for(p, data.target, data.tenant) then
  -- From a workable status to another: no expiry to clear (-1).
  transition(p, id, 'paused', nowIso, pausable, -1, {}, h)
  return {'paused', record_values(h)}
end

local credential = args[8]
if credential == '' then
  credential = data.target .. '|' .. data.tenant
  -- As the handler's key function writes it in JS: a missing field reads 'undefined'.
  if args[9] ~= '' then credential = credential .. '|' .. tostring(data.meta[args[9]] or 'undefined') end
end
local wait = circuit_admit(circuit_key(p, credential), now, tonumber(args[10]))
if wait > 0 then return {'wait', 'circuit', wait} end
if args[11] ~= '' then
  wait = bucket_take(bucket_key(p, credential), tonumber(args[11]), tonumber(args[12]), now)
  if wait > 0 then return {'wait', 'rate_limit', wait} end
end

local attempt = tonumber(h.attemptCount or 0) + 1
local record = record_values(h)
transition(p, id, 'in_progress', nowIso, workable, -1, {'attemptCount', attempt}, h)
local prefetched = false
if args[13] ~= '' then prefetched = redis.call('HGET', args[13] .. data.tenant, tostring(data.meta[args[14]] or 'undefined')) end
return {'go', record, credential, attempt, prefetched}
end
`
