// Parts 2 and 4: the rig (receiver, Snodo's worker process, the bare worker process, the queues) and
// the two measurements: alternated full drains of N deliveries, then a 100,000-job backlog.
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Deps } from '../../src/deps.ts'
import { queueNames } from '../../src/queues/names.ts'
import { abortHooks, type Child, keyBytes, median, n0, pct, row, startChild, stopChild, usedMemory, verdict } from './common.ts'
import { addBareJobs, type Drain, drain, drainWindow, jobsLeft, publishEvents, statusCounts } from './drain.ts'
import { benchDeps, tenant, webhookConcurrency } from './snodo-config.ts'

type Log = (line: string) => void

export async function startRig(env: Record<string, string>) {
  const receiver = await startChild<{ port: number }>('receiver', 'bench/delivery/receiver.ts', env)
  const url = `http://127.0.0.1:${receiver.info.port}/hooks`
  const deps = await benchDeps('api', { ...process.env, ...env })
  await deps.endpoints.create(tenant, { url, events: ['*'], description: 'bench receiver' })
  const snodoQueue = deps.engine.queue(queueNames.webhooks)
  const bareQueue = new Queue('bare-webhooks', { connection: { url: env.REDIS_URL, maxRetriesPerRequest: null }, prefix: env.SNODO_REDIS_PREFIX })
  await Promise.all([snodoQueue.pause(), bareQueue.pause()]) // nothing runs until a drain resumes its queue
  const workerEnv = { ...env, BENCH_RECEIVER_URL: url }
  const started: Child<unknown>[] = [receiver]
  try {
    started.push(await startChild('snodo worker', 'bench/delivery/snodo-worker.ts', workerEnv))
    started.push(await startChild('baseline worker', 'bench/delivery/baseline-worker.ts', workerEnv))
  } catch (error) {
    await Promise.all(started.map((c) => stopChild(c.child)))
    throw error
  }
  const [, snodoWorker, bareWorker] = started as [Child<unknown>, Child<unknown>, Child<unknown>]
  // On abort: stop writing from this process at once (the children are killed), so the clean-up is final.
  const abort = async () => void (await Promise.allSettled([bareQueue.close(), deps.close()]))
  abortHooks.add(abort)
  return {
    deps,
    prefix: env.SNODO_REDIS_PREFIX as string,
    snodoQueue,
    bareQueue,
    pids: { snodo: snodoWorker.child.pid, bare: bareWorker.child.pid, receiver: receiver.child.pid },
    async close() {
      abortHooks.delete(abort)
      await Promise.all([stopChild(snodoWorker.child), stopChild(bareWorker.child)])
      await stopChild(receiver.child)
      await bareQueue.close()
      await deps.close()
    },
  }
}
export type Rig = Awaited<ReturnType<typeof startRig>>

const rounds = 3
const perRound = 10_000
const publishLanes = 64
const drainTimeoutMs = 40_000

export async function deliveryThroughput(rig: Rig, redis: Redis, log: Log) {
  const results: Record<'snodo' | 'baseline', Drain[]> = { snodo: [], baseline: [] }
  let from = 0
  for (let round = 1; round <= rounds; round++) {
    for (const name of round % 2 ? (['snodo', 'baseline'] as const) : (['baseline', 'snodo'] as const)) {
      let enqueue: string
      let d: Drain
      if (name === 'snodo') {
        const { seconds } = await publishEvents(rig.deps, perRound, { lanes: publishLanes, from })
        enqueue = `${perRound} events.publish in ${seconds.toFixed(1)} s (${n0(perRound / seconds)}/s, ${publishLanes} at once)`
        const before = (await statusCounts(redis, rig.prefix)).succeeded ?? 0
        d = await drain(rig.snodoQueue, perRound, { worker: rig.pids.snodo, receiver: rig.pids.receiver }, redis, drainTimeoutMs)
        const after = await statusCounts(redis, rig.prefix)
        if ((after.succeeded ?? 0) - before !== perRound)
          throw new Error(`Snodo drained its queue but ${(after.succeeded ?? 0) - before} of ${perRound} deliveries succeeded: ${JSON.stringify(after)}`)
      } else {
        const { seconds } = await addBareJobs(rig.bareQueue, perRound, from)
        enqueue = `${perRound} jobs addBulk in ${seconds.toFixed(1)} s`
        d = await drain(rig.bareQueue, perRound, { worker: rig.pids.bare, receiver: rig.pids.receiver }, redis, drainTimeoutMs)
      }
      await (name === 'snodo' ? rig.snodoQueue : rig.bareQueue).pause()
      from += perRound
      results[name].push(d)
      log(
        `  round ${round} ${name.padEnd(8)} ${n0(d.rate).padStart(6)} deliveries/s (${d.count} in ${d.seconds.toFixed(2)} s)` +
          `  CPU/delivery worker ${n0(d.workerUs)} µs, receiver ${n0(d.receiverUs)} µs, redis ${n0(d.redisUs)} µs  [enqueued before: ${enqueue}]`,
      )
    }
  }
  const sum = (list: Drain[]) => ({
    rate: median(list.map((d) => d.rate)),
    worker: median(list.map((d) => d.workerUs)),
    redis: median(list.map((d) => d.redisUs)),
    receiver: median(list.map((d) => d.receiverUs)),
  })
  const b = sum(results.baseline)
  const s = sum(results.snodo)
  const ratio = s.rate / b.rate
  const w = [24, 10, 10, 12]
  log(`  medians of ${rounds} alternated drains of ${perRound}, concurrency ${webhookConcurrency} each`)
  log(`  ${row(['', 'baseline', 'snodo', 'snodo/base'], w)}`)
  log(`  ${row(['deliveries/s', n0(b.rate), n0(s.rate), pct(ratio)], w)}   ${verdict(ratio >= 0.6, '≥ 60 %')}`)
  log(`  ${row(['worker CPU µs/delivery', n0(b.worker), n0(s.worker), `${(s.worker / b.worker).toFixed(2)}×`], w)}`)
  log(`  ${row(['redis CPU µs/delivery', n0(b.redis), n0(s.redis), `${(s.redis / b.redis).toFixed(2)}×`], w)}`)
  log(`  ${row(['receiver CPU µs/delivery', n0(b.receiver), n0(s.receiver), `${(s.receiver / b.receiver).toFixed(2)}×`], w)}`)
  const bTotal = b.worker + b.redis + b.receiver
  const sTotal = s.worker + s.redis + s.receiver
  log(
    `  ${row(['total CPU µs/delivery', n0(bTotal), n0(sTotal), `${(sTotal / bTotal).toFixed(2)}×`], w)}   (all three share 2 cores: base/snodo ${pct(bTotal / sTotal)} is the rate ratio to expect when CPU-bound)`,
  )
  const paired = results.snodo.map((r, i) => r.rate / (results.baseline[i] as Drain).rate)
  log(`  paired per-round ratios: ${paired.map(pct).join(', ')} (median ${pct(median(paired))})`)
  return { ratio, met: ratio >= 0.6, snodoRate: s.rate, cpuRatio: bTotal / sTotal, snodoWorkerUs: s.worker, snodoRedisUs: s.redis }
}

const backlogSize = 100_000
const windowMs = 5_000

export async function withBacklog(rig: Rig, redis: Redis, small: { snodoRate: number; snodoWorkerUs: number; snodoRedisUs: number }, log: Log) {
  const { prefix } = rig
  const memoryBefore = await usedMemory(redis)
  const deadline = performance.now() + 45_000 // bounds this part whatever the host's speed
  const { published, seconds } = await publishEvents(rig.deps, backlogSize, { lanes: publishLanes, from: 10_000_000, deadline })
  const queued = await jobsLeft(rig.snodoQueue)
  const memoryDelta = (await usedMemory(redis)) - memoryBefore
  log(
    `  enqueue: ${published} events.publish (one webhook delivery each) in ${seconds.toFixed(1)} s = ${n0(published / seconds)} deliveries/s from one process, ${publishLanes} at once${published < backlogSize ? ' (stopped at the 45 s bound)' : ''}; ${queued} jobs queued`,
  )
  const sample = await redis.zrange(`${prefix}:dlv:idx:queued`, '0', '199')
  const mean = async (keys: string[]) => (await Promise.all(keys.map((k) => keyBytes(redis, k)))).reduce((a, b) => a + b, 0) / Math.max(1, keys.length)
  const record = await mean(sample.map((id) => `${prefix}:dlv:${id}`))
  const job = await mean(sample.map((id) => `${prefix}:webhooks:${id}`))
  const lists = (await keyBytes(redis, `${prefix}:webhooks:wait`)) / queued
  const indexes =
    ((await keyBytes(redis, `${prefix}:dlv:idx`)) + (await keyBytes(redis, `${prefix}:dlv:idx:queued`)) + (await keyBytes(redis, `${prefix}:dlv:pending`))) /
    published
  const stream = (await keyBytes(redis, `${prefix}:events:${tenant}`)) / Math.max(1, await redis.xlen(`${prefix}:events:${tenant}`))
  const perDelivery = record + job + lists + indexes + stream
  log(`  Redis memory while queued: INFO used_memory +${n0(memoryDelta / 2 ** 20)} MiB (${n0(memoryDelta / published)} B/delivery, whole server);`)
  log(
    `    by MEMORY USAGE: record ${n0(record)} B + BullMQ job hash ${n0(job)} B + wait list ${n0(lists)} B + indexes ${n0(indexes)} B + event stream entry ${n0(stream)} B = ${n0(perDelivery)} B/delivery`,
  )
  const w = await drainWindow(rig.snodoQueue, redis, prefix, windowMs, { worker: rig.pids.snodo })
  const ratio = w.rate / small.snodoRate
  log(
    `  drain with the backlog present: ${w.done} succeeded in ${w.seconds.toFixed(1)} s = ${n0(w.rate)} deliveries/s (per second: ${w.perSecond.join(', ')}); CPU/delivery worker ${n0(w.workerUs)} µs, redis ${n0(w.redisUs)} µs`,
  )
  log(
    `  vs the small-backlog drains of part 2 (median ${n0(small.snodoRate)}/s, worker ${n0(small.snodoWorkerUs)} µs, redis ${n0(small.snodoRedisUs)} µs per delivery): rate ${pct(ratio)}, CPU/delivery worker ${(w.workerUs / small.snodoWorkerUs).toFixed(2)}×, redis ${(w.redisUs / small.snodoRedisUs).toFixed(2)}×`,
  )
  log(`  ${await jobsLeft(rig.snodoQueue)} jobs still queued (deleted by the clean-up)`)
  return { enqueueRate: published / seconds, rate: w.rate, ratio, bytesPerQueued: perDelivery }
}
