// The processor's step after a send, whatever its outcome (a Lua function of the steps script,
// lua/steps.ts): tells the circuit breaker (a success closes it, a retryable failure counts towards
// opening it), appends the attempt, and moves the delivery to its next status (succeeded, retrying
// or dead) with its fields and expiry.

/**
 * finish(args), needing the record and circuit functions before it. args: 1 prefix, 2 delivery id,
 * 3 the attempt (JSON), 4 the next status, 5 now (ISO), 6 statuses it may follow, 7 expiry in
 * seconds (0 none), 8 circuit outcome ('success', 'failure' or ''), 9 credential, 10 now (ms),
 * 11 failure threshold, 12 cooldown (ms), 13… field name/value pairs ('' deletes).
 *
 * Answers {moved (1/0), status found ('' none)}, as the store's transition does.
 */
export const finishLua = `
local function finish(args)
local p, id = args[1], args[2]

if args[8] == 'success' then
  circuit_success(circuit_key(p, args[9]))
elseif args[8] == 'failure' then
  circuit_failure(circuit_key(p, args[9]), tonumber(args[10]), tonumber(args[11]), tonumber(args[12]))
end

redis.call('RPUSH', record_key(p, id) .. ':att', args[3])

local fields = {}
for i = 13, #args do fields[#fields + 1] = args[i] end
local moved, from = transition(p, id, args[4], args[5], args[6], tonumber(args[7]), fields)
return {moved and 1 or 0, from or ''}
end
`
