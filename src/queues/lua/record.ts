// Lua for the delivery record: one hash per delivery (`data` JSON, status, score, attemptCount,
// replays, updatedAt, …), its attempts in a list beside it, and one time-ordered index per status.
// Shared by the store's own scripts and by the claim/finish scripts of the processor.
export const recordLua = String.raw`
local function record_key(p, id) return p .. ':dlv:' .. id end

-- Whether status s is in the comma-separated list.
local function listed(list, s)
  return s ~= nil and string.find(',' .. list .. ',', ',' .. s .. ',', 1, true) ~= nil
end

-- The routing facts of a record's data JSON (target, tenant, meta) without decoding its payload:
-- create() writes data as {"tenant":…,"target":…,"meta":{…},…,"payload":…}. The pattern only matches
-- ids with no escaped character, and the meta substring only decodes if it is exactly the meta
-- object (cjson refuses a cut or overlong one). Anything else (an older record…) is decoded whole.
local function routing(data)
  local tenant, target, meta = string.match(data, '^{"tenant":"([^"\\]*)","target":"([^"\\]*)","meta":(%b{})')
  if tenant then
    local ok, decoded = pcall(cjson.decode, meta)
    if ok and type(decoded) == 'table' then return {tenant = tenant, target = target, meta = decoded} end
  end
  return cjson.decode(data)
end

-- What the processor reads of a record (h: its fields by name), in the order delivery-store.ts
-- expects them (recordFields there); a missing field is nil (false here).
local function record_values(h)
  return {h.data, h.status, h.updatedAt, h.attemptCount or false, h.replays or false, h.nextTryAt or false, h.lastError or false}
end

-- Moves delivery id to status to, if its current status is in allowed (comma-separated); sets the
-- name/value pairs of fields (an empty value deletes the field), keeps the status indexes in step,
-- and sets the expiry of the record and its attempts: seconds, 0 for none, or -1 to leave it as it
-- is (a move between statuses that never have one: only succeeded and dead are given one).
-- Answers whether it moved, and the status it found (false: no such delivery). found: the record
-- as this script already read it (its status and score), or nil to read them here.
local function transition(p, id, to, now, allowed, expire, fields, found)
  local k = record_key(p, id)
  if not found then
    local read = redis.call('HMGET', k, 'status', 'score')
    found = {status = read[1], score = read[2]}
  end
  local cur = found.status
  if not cur then return false, false end
  if not listed(allowed, cur) then return false, cur end
  -- One HSET and at most one HDEL, whatever the number of fields.
  local set, del = {'status', to, 'updatedAt', now}, {}
  for i = 1, #fields, 2 do
    if fields[i + 1] == '' then
      del[#del + 1] = fields[i]
    else
      set[#set + 1] = fields[i]
      set[#set + 1] = fields[i + 1]
    end
  end
  redis.call('HSET', k, unpack(set))
  if #del > 0 then redis.call('HDEL', k, unpack(del)) end
  if cur ~= to then
    redis.call('ZREM', p .. ':dlv:idx:' .. cur, id)
    redis.call('ZADD', p .. ':dlv:idx:' .. to, found.score, id)
  end
  if expire > 0 then
    redis.call('EXPIRE', k, expire)
    redis.call('EXPIRE', k .. ':att', expire)
  elseif expire == 0 and redis.call('TTL', k) ~= -1 then
    -- It had an expiry (a retained, finished delivery being replayed): kept for good again.
    redis.call('PERSIST', k)
    redis.call('PERSIST', k .. ':att')
  end
  return true, cur
end
`
