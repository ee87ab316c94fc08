// Idempotency-Key on POST (design §3): same key + same request → the stored answer again;
// same key + another request → 409 idempotency_key_reused; a concurrent twin → 409 request_in_progress.
// The record keeps the request's fingerprint for the whole TTL from the first claim, whatever happens
// to the attempt. While an attempt runs it holds a short lease, renewed by a heartbeat: a process killed
// mid-request stops renewing, and a retry takes the key over once the lease lapses. A taken-over attempt
// runs the route again with the same command id (commandId), and every accept step answers the resource
// an earlier attempt wrote, so the command runs once however often the process dies.
import { createHash, randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { Redis } from 'ioredis'
import { SnodoError } from '../../errors.ts'
import { type AppContext, type AppEnv, callerOf } from '../app-env.ts'
import { bufferAnswer } from './buffered-answer.ts'

type Done = { state: 'done'; fingerprint: string; status: number; headers: Record<string, string>; body: string }

const keyPattern = /^[\x21-\x7e]{1,255}$/
/**
 * How long a running attempt holds its key without renewing it: a retry waits at most this long after
 * a crash. Several heartbeats fit in it, so a busy event loop or a Redis blip does not lose a live lease.
 */
const defaultLeaseMs = 5_000
const replayedHeaders = ['content-type', 'location']
const utf8 = new TextDecoder()

// Times are Redis's own (TIME), so instances with drifting clocks agree on when a lease lapsed.
const now = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`
const running = `local function running(owner, untilMs) return '{"state":"running","fingerprint":' .. cjson.encode(rec_fp) .. ',"owner":' .. cjson.encode(owner) .. ',"leaseUntil":' .. string.format('%d', untilMs) .. '}' end`

/** ARGV: fingerprint, owner, leaseMs, ttlSeconds → {'claimed'} | {'reused'} | {'done', record} | {'running', msLeft}. */
const claimScript = `${now}
local cur = redis.call('GET', KEYS[1])
local rec_fp = ARGV[1]
${running}
if not cur then redis.call('SET', KEYS[1], running(ARGV[2], now + tonumber(ARGV[3])), 'EX', ARGV[4]) return {'claimed'} end
local rec = cjson.decode(cur)
if rec.fingerprint ~= ARGV[1] then return {'reused'} end
if rec.state == 'done' then return {'done', cur} end
local left = (tonumber(rec.leaseUntil) or 0) - now
if left > 0 then return {'running', string.format('%d', left)} end
redis.call('SET', KEYS[1], running(ARGV[2], now + tonumber(ARGV[3])), 'KEEPTTL')
return {'claimed'}`

/** ARGV: owner, leaseMs. Renews the owner's lease (leaseMs 0 lets it go at once); 0 when it is not the owner's any more. */
const renewScript = `${now}
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.state ~= 'running' or rec.owner ~= ARGV[1] then return 0 end
local rec_fp = rec.fingerprint
${running}
redis.call('SET', KEYS[1], running(ARGV[1], now + tonumber(ARGV[2])), 'KEEPTTL')
return 1`

/** ARGV: done record, ttlSeconds. The first answer stays; the TTL still counts from the first claim. */
const finishScript = `
local cur = redis.call('GET', KEYS[1])
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
if cjson.decode(cur).state == 'done' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 1`

export function idempotency(deps: { redis: Redis; prefix: string; ttlSeconds: number; leaseMs?: number }): MiddlewareHandler<AppEnv> {
  const leaseMs = deps.leaseMs ?? defaultLeaseMs
  return async (c, next) => {
    const key = c.req.header('idempotency-key')
    if (c.req.method !== 'POST' || key === undefined) return next()
    if (!keyPattern.test(key)) throw new SnodoError('validation_failed', 'Idempotency-Key must be 1-255 visible ASCII characters')
    const clientId = callerOf(c).clientId
    const storeKey = `${deps.prefix}:idem:${clientId}:${key}`
    // The request is its method, its path with the query, its content-type and its body bytes.
    const url = c.req.url
    const fingerprint = createHash('sha256')
      .update(`${c.req.method} ${url.slice(url.indexOf('/', url.indexOf('://') + 3))}\n${c.req.header('content-type') ?? ''}\n`)
      // A streamed upload is not held in memory: its Digest stands for its bytes.
      .update(c.get('rawBody') ?? c.req.header('digest') ?? '')
      .digest('base64url')

    const owner = randomUUID()
    const [outcome, detail] = (await deps.redis.eval(claimScript, 1, storeKey, fingerprint, owner, leaseMs, deps.ttlSeconds)) as [string, string?]
    if (outcome === 'reused') throw new SnodoError('idempotency_key_reused', 'This Idempotency-Key was used for a different request; use a new key')
    if (outcome === 'running') {
      const retryAfter = String(Math.max(1, Math.ceil(Number(detail) / 1000)))
      throw new SnodoError('request_in_progress', 'A request with this Idempotency-Key is still running; retry shortly', {
        headers: { 'retry-after': retryAfter },
      })
    }
    if (outcome === 'done') {
      const stored = JSON.parse(detail as string) as Done
      return c.body(stored.body, stored.status as 200, { ...stored.headers, 'idempotent-replayed': 'true' })
    }
    // The same request (client, key, fingerprint) always names the same command, so a retry after a
    // crash finds what the first attempt wrote; another body under a reused key never gets this far.
    c.set('commandSeed', createHash('sha256').update(`${clientId}\n${key}\n${fingerprint}`).digest('hex'))

    const renew = (ms: number) => deps.redis.eval(renewScript, 1, storeKey, owner, ms)
    // A failed renewal is not fatal: the lease may lapse and a retry take over, which the accept steps allow.
    const heartbeat = setInterval(() => void renew(leaseMs).catch(() => undefined), Math.max(50, Math.floor(leaseMs * 0.3)))
    heartbeat.unref()
    let answered = false
    try {
      await next()
      // A server failure is not an answer worth replaying: the lease goes, and a retry runs the command again.
      if (c.res.status >= 500) return
      const answer = await bufferAnswer(c)
      const headers = Object.fromEntries(replayedHeaders.flatMap((h) => (answer.headers[h] !== undefined ? [[h, answer.headers[h]]] : [])))
      const body = utf8.decode(answer.body) // as Response.text() decodes it
      const done: Done = { state: 'done', fingerprint, status: answer.status, headers, body }
      await deps.redis.eval(finishScript, 1, storeKey, JSON.stringify(done), deps.ttlSeconds)
      answered = true
    } finally {
      clearInterval(heartbeat)
      // The fingerprint stays: the same request may be retried at once, another one under this key never.
      if (!answered) await renew(0).catch(() => undefined)
    }
  }
}

/**
 * The id of the resource a POST creates: derived from its Idempotency-Key (and the request it names)
 * when it has one, so every attempt of the command names the same resource; random otherwise.
 */
export function commandId(c: AppContext, kind: string): string {
  const seed = c.get('commandSeed')
  return `${kind}_${seed ? createHash('sha256').update(`${kind}|${seed}`).digest('hex').slice(0, 32) : randomUUID().replaceAll('-', '')}`
}
