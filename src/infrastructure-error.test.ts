// Which failures are our own infrastructure's (Redis gone, cut off, restarting): the errors a real
// ioredis client gives against a port nothing listens on, and the shapes BullMQ and Redis give.
import { Redis } from 'ioredis'
import { expect, it } from 'vitest'
import { isInfrastructureError, SnodoError, UpstreamError } from './errors.ts'
import { freePort } from './sandbox/private-redis.ts'

it('recognises what a real ioredis client gives when Redis is not there', async () => {
  const redis = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 1, retryStrategy: () => 10, lazyConnect: true })
  redis.on('error', () => undefined)
  redis.connect().catch(() => undefined)
  const error = await redis.ping().catch((e: unknown) => e)
  redis.disconnect()
  expect(error).toMatchObject({ name: 'MaxRetriesPerRequestError' })
  expect(isInfrastructureError(error)).toBe(true)
})

it('recognises cut connections, a restarting Redis and a batched script call that met one, through causes', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })
  for (const error of [
    new Error('Connection is closed.'),
    refused,
    new Error('dlv_steps finish: LOADING Redis is loading the dataset in memory'),
    new Error('wrapped', { cause: refused }),
    new AggregateError([refused], 'all failed'),
  ]) {
    expect(isInfrastructureError(error), error.message).toBe(true)
  }
})

it('leaves a platform failure to its own kind, and a bug a bug', () => {
  const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' })
  for (const error of [
    new UpstreamError({ kind: 'unavailable', platform: 'appio', message: 'unreachable', cause }),
    new SnodoError('not_found'),
    new TypeError("Cannot read properties of undefined (reading 'id')"),
    new Error('ERR wrong number of arguments'),
    'Connection is closed.',
  ]) {
    expect(isInfrastructureError(error)).toBe(false)
  }
})
