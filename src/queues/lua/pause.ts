// Lua for pauses: one hash of every pause, field `<target>|<tenant>` or `<target>|*` for the whole
// target. Pauses and parked jobs are written by pauses.ts; the claim script only reads.
export const pausesKey = (prefix: string) => `${prefix}:pauses`
export const pauseField = (target: string, tenant?: string) => `${target}|${tenant ?? '*'}`

export const pauseLua = `
-- Whether target is paused for tenant: by a pause of the whole target or by the tenant's own.
local function paused_for(p, target, tenant)
  local found = redis.call('HMGET', p .. ':pauses', target .. '|*', target .. '|' .. tenant)
  return found[1] ~= false or found[2] ~= false
end
`
