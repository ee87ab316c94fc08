// The processor's one script after a send, whatever its outcome: tells the circuit breaker (a success
// closes it, a retryable failure counts towards opening it), appends the attempt, and moves the
// delivery to its next status (succeeded, retrying or dead) with its fields and expiry.
import { circuitLua } from './circuit.ts'
import { recordLua } from './record.ts'

/**
 * ARGV: 1 prefix, 2 delivery id, 3 the attempt (JSON), 4 the next status, 5 now (ISO), 6 statuses
 * it may follow, 7 expiry in seconds (0 none), 8 circuit outcome ('success', 'failure' or ''),
 * 9 credential, 10 now (ms), 11 failure threshold, 12 cooldown (ms), 13… field name/value pairs ('' deletes).
 *
 * Answers {moved (1/0), status found ('' none)}, as the store's transition does.
 */
export const finishLua = `${recordLua}${circuitLua}
local p, id = ARGV[1], ARGV[2]

if ARGV[8] == 'success' then
  circuit_success(circuit_key(p, ARGV[9]))
elseif ARGV[8] == 'failure' then
  circuit_failure(circuit_key(p, ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]))
end

redis.call('RPUSH', record_key(p, id) .. ':att', ARGV[3])

local fields = {}
for i = 13, #ARGV do fields[#fields + 1] = ARGV[i] end
local moved, from = transition(p, id, ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), fields)
return {moved and 1 or 0, from or ''}
`
