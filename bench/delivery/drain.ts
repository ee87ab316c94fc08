// Parts 2 and 4: draining pre-enqueued webhook deliveries to the local receiver. Each queue is paused
// while it is filled and while its worker process connects; the clock starts at resume and stops when
// the queue holds no job (waiting, active, delayed), so only the drain is timed.
import { randomUUID } from 'node:crypto'
import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Deps } from '../../src/deps.ts'
import { processCpuSeconds, redisCpuSeconds } from '../cpu.ts'
import { inParallel, sleep, waitUntil } from './common.ts'
import { eventData, tenant } from './snodo-config.ts'

export type Drain = { count: number; seconds: number; rate: number; workerUs: number; receiverUs: number; redisUs: number }

const countStates = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children'] as const
export const jobsLeft = async (queue: Queue) => Object.values(await queue.getJobCounts(...countStates)).reduce((a, b) => a + b, 0)

/** Snodo's enqueue: one events.publish per event (stream entry + delivery record + job), `lanes` at once. */
export async function publishEvents(
  deps: Deps,
  count: number,
  options: { lanes: number; from: number; deadline?: number },
): Promise<{ published: number; seconds: number }> {
  let published = 0
  const started = performance.now()
  await inParallel(count, options.lanes, async (i) => {
    if (options.deadline !== undefined && performance.now() > options.deadline) return
    await deps.events.publish(tenant, 'payment.paid', eventData(options.from + i))
    published++
  })
  return { published, seconds: (performance.now() - started) / 1000 }
}

/** The baseline's enqueue: the same event bodies, added in bulk to a bare queue. */
export async function addBareJobs(queue: Queue, count: number, from: number): Promise<{ seconds: number }> {
  const started = performance.now()
  for (let i = 0; i < count; i += 1000) {
    const jobs = Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
      name: 'webhook',
      data: {
        payload: {
          id: `evt_${randomUUID().replaceAll('-', '')}`,
          type: 'payment.paid',
          tenantId: tenant,
          occurredAt: new Date().toISOString(),
          data: eventData(from + i + j),
        },
      },
      opts: { removeOnComplete: true },
    }))
    await queue.addBulk(jobs)
  }
  return { seconds: (performance.now() - started) / 1000 }
}

/** Resumes the (paused, filled) queue and times it until empty. */
export async function drain(queue: Queue, count: number, pids: { worker?: number; receiver?: number }, redis: Redis, timeoutMs: number): Promise<Drain> {
  const before = { worker: processCpuSeconds(pids.worker), receiver: processCpuSeconds(pids.receiver), redis: await redisCpuSeconds(redis) }
  const started = performance.now()
  await queue.resume()
  await waitUntil(`draining ${queue.name}`, async () => (await jobsLeft(queue)) === 0, timeoutMs)
  const seconds = (performance.now() - started) / 1000
  const per = (s: number) => (s * 1e6) / count
  return {
    count,
    seconds,
    rate: count / seconds,
    workerUs: per(processCpuSeconds(pids.worker) - before.worker),
    receiverUs: per(processCpuSeconds(pids.receiver) - before.receiver),
    redisUs: per((await redisCpuSeconds(redis)) - before.redis),
  }
}

/** Part 4: completions per second over a fixed window, counted on the succeeded index, with the backlog present. */
export async function drainWindow(queue: Queue, redis: Redis, prefix: string, windowMs: number, pids: { worker?: number }) {
  const succeeded = () => redis.zcard(`${prefix}:dlv:idx:succeeded`)
  const startCount = await succeeded()
  const cpuBefore = processCpuSeconds(pids.worker)
  const redisBefore = await redisCpuSeconds(redis)
  const started = performance.now()
  await queue.resume()
  const perSecond: number[] = []
  let last = startCount
  for (let t = 1000; t <= windowMs; t += 1000) {
    await sleep(started + t - performance.now())
    const now = await succeeded()
    perSecond.push(now - last)
    last = now
  }
  const seconds = (performance.now() - started) / 1000
  await queue.pause() // what is left stays for the clean-up; the worker finishes its active jobs only
  const done = last - startCount
  return {
    done,
    seconds,
    rate: done / seconds,
    perSecond,
    workerUs: ((processCpuSeconds(pids.worker) - cpuBefore) * 1e6) / Math.max(1, done),
    redisUs: (((await redisCpuSeconds(redis)) - redisBefore) * 1e6) / Math.max(1, done),
  }
}

/** Where a delivery is, by the status indexes: a drain that "finished" must have left every one succeeded. */
export async function statusCounts(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const statuses = ['queued', 'in_progress', 'retrying', 'succeeded', 'dead', 'paused']
  const counts = await Promise.all(statuses.map((s) => redis.zcard(`${prefix}:dlv:idx:${s}`)))
  return Object.fromEntries(statuses.map((s, i) => [s, counts[i] as number]))
}
