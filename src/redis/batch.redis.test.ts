// The script batcher on real Redis: calls of one event-loop turn share one script run, in order; a call whose
// step raises answers its own error; long runs are split; a lost connection fails every call.
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { batchDispatchLua, createScriptBatcher } from './batch.ts'

const prefix = `test-${randomUUID().slice(0, 8)}`
const redis = new Redis(readEnv().REDIS_URL, { enableAutoPipelining: true })
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

// Each run counts itself and its calls; 'echo' answers {run number, calls in its run, its arguments};
// 'boom' makes Redis raise (INCR of a key holding text), like a step whose command fails.
const lua = `
local run = redis.call('INCR', '${prefix}:runs')
local size, k = 0, 1
while k <= #ARGV do size, k = size + 1, k + 2 + tonumber(ARGV[k + 1]) end
local function echo(args) return {run, size, args} end
local function boom()
  redis.call('SET', '${prefix}:text', 'x')
  return redis.call('INCR', '${prefix}:text')
end
${batchDispatchLua('{echo = echo, boom = boom}')}`

it('runs the calls of one event-loop turn as one script run, each answered in its order; later calls in a new run', async () => {
  const batch = createScriptBatcher(redis, 'test_batch', lua)
  // Later ticks and microtasks of the same turn join the run.
  const a = batch('echo', ['a', 1])
  await Promise.resolve()
  const b = batch('echo', ['b'])
  await new Promise((resolve) => process.nextTick(resolve))
  const first = await Promise.all([a, b, batch('echo', [])])
  expect(first).toEqual([
    [1, 3, ['a', '1']],
    [1, 3, ['b']],
    [1, 3, []],
  ])
  expect(await batch('echo', ['c'])).toEqual([2, 1, ['c']])
})

it('rejects only the call whose step raised; the others of its run answer', async () => {
  const batch = createScriptBatcher(redis, 'test_batch', lua)
  const results = await Promise.allSettled([batch('echo', ['ok']), batch('boom', []), batch('echo', ['also ok']), batch('nonesuch', [])])
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected'])
  expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/^test_batch boom: .*not an integer/)
  expect((results[3] as PromiseRejectedResult).reason.message).toMatch(/^test_batch nonesuch: /)
  expect((results[2] as PromiseFulfilledResult<unknown[]>).value[2]).toEqual(['also ok'])
})

it('splits a long turn into runs of at most 64 calls, in order', async () => {
  const batch = createScriptBatcher(redis, 'test_batch', lua)
  const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => batch<[number, number, string[]]>('echo', [i])))
  expect(answers.map((a) => a[1])).toEqual([...Array(64).fill(64), ...Array(64).fill(64), ...Array(22).fill(22)])
  expect(answers.map((a) => Number(a[2][0]))).toEqual(Array.from({ length: 150 }, (_, i) => i))
  expect(new Set(answers.map((a) => a[0])).size).toBe(3)
})

it('fails every call of a run when Redis cannot be reached', async () => {
  const gone = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
  const batch = createScriptBatcher(gone, 'test_batch', lua)
  const results = await Promise.allSettled([batch('echo', ['a']), batch('echo', ['b'])])
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
  gone.disconnect()
})
