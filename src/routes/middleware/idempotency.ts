// Idempotency-Key on POST (design §3): same key + same request → the stored answer again;
// same key + another request → 409 idempotency_key_reused; a concurrent twin → 409 request_in_progress.
import { createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { Redis } from 'ioredis'
import { SnodoError } from '../../errors.ts'
import { type AppEnv, callerOf } from '../app-env.ts'
import { bufferAnswer } from './buffered-answer.ts'

type Running = { state: 'running'; fingerprint: string }
type Done = { state: 'done'; fingerprint: string; status: number; headers: Record<string, string>; body: string }

const keyPattern = /^[\x21-\x7e]{1,255}$/
/** How long a claimed key stays locked if the process dies before answering. */
const runningTtlMs = 60_000
const replayedHeaders = ['content-type', 'location']
const utf8 = new TextDecoder()

export function idempotency(deps: { redis: Redis; prefix: string; ttlSeconds: number }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key')
    if (c.req.method !== 'POST' || key === undefined) return next()
    if (!keyPattern.test(key)) throw new SnodoError('validation_failed', 'Idempotency-Key must be 1-255 visible ASCII characters')
    const storeKey = `${deps.prefix}:idem:${callerOf(c).clientId}:${key}`
    // The request is its method, its path with the query, its content-type and its body bytes.
    const url = c.req.url
    const fingerprint = createHash('sha256')
      .update(`${c.req.method} ${url.slice(url.indexOf('/', url.indexOf('://') + 3))}\n${c.req.header('content-type') ?? ''}\n`)
      // A streamed upload is not held in memory: its Digest stands for its bytes.
      .update(c.get('rawBody') ?? c.req.header('digest') ?? '')
      .digest('base64url')

    const claimed = await deps.redis.set(storeKey, JSON.stringify({ state: 'running', fingerprint } satisfies Running), 'PX', runningTtlMs, 'NX')
    if (claimed !== 'OK') {
      const stored = JSON.parse((await deps.redis.get(storeKey)) ?? 'null') as Running | Done | null
      if (!stored) throw new SnodoError('request_in_progress', 'The request with this key just finished; retry to get its answer')
      if (stored.fingerprint !== fingerprint) {
        throw new SnodoError('idempotency_key_reused', 'This Idempotency-Key was used for a different request; use a new key')
      }
      if (stored.state === 'running') throw new SnodoError('request_in_progress', 'A request with this Idempotency-Key is still running; retry shortly')
      return c.body(stored.body, stored.status as 200, { ...stored.headers, 'idempotent-replayed': 'true' })
    }

    try {
      await next()
    } catch (error) {
      await deps.redis.del(storeKey)
      throw error
    }
    // A server failure is not an answer worth replaying: free the key so the client can retry.
    if (c.res.status >= 500) {
      await deps.redis.del(storeKey)
      return
    }
    const answer = await bufferAnswer(c)
    const headers = Object.fromEntries(replayedHeaders.flatMap((h) => (answer.headers[h] !== undefined ? [[h, answer.headers[h]]] : [])))
    const body = utf8.decode(answer.body) // as Response.text() decodes it
    const done: Done = { state: 'done', fingerprint, status: answer.status, headers, body }
    await deps.redis.set(storeKey, JSON.stringify(done), 'EX', deps.ttlSeconds)
  }
}
