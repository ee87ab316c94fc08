// Part 1: App IO messages delivered per second, simulator at zero latency. The rig: the simulator, Snodo's
// worker process (startWorkers, as `--role worker` runs it), the bare worker process, both queues paused
// until a drain. Snodo's messages are accepted with acceptMessages (record + delivery + job) before the
// clock starts; the baseline's jobs are added in bulk; only the drain is timed (delivery/drain.ts).
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { acceptMessages, newMessageId } from '../../src/messages/accept-message.ts'
import { queueNames } from '../../src/queues/names.ts'
import { alternatedDrains } from '../alternated-drains.ts'
import { abortHooks, type Child, inParallel, startChild, stopChild } from '../delivery/common.ts'
import { type Drain, drain, statusCounts } from '../delivery/drain.ts'
import { benchDeps, tenant } from '../delivery/snodo-config.ts'

type Log = (line: string) => void
export const ioService = 'bench'
export const ioKey = 'bench-io-key'

/** BENCH_PLATFORMS for a tenant sending App IO messages through `baseUrl` (one service, its key in BENCH_IO_KEY). */
export const appioPlatforms = (baseUrl: string) =>
  JSON.stringify({ appio: { baseUrl: `${baseUrl}/api/v1`, services: [{ name: ioService, apiKey: 'env:BENCH_IO_KEY', default: true }] } })

/** The i-th citizen (up to 10 million distinct): IO's fiscal code pattern, birthplace Y… (nobody's), on IO in the simulator. */
export function fiscalCodeOf(i: number): string {
  const d = String(i % 10_000_000).padStart(7, '0')
  return `BNCHMK${d.slice(0, 2)}A${d.slice(2, 4)}Y${d.slice(4)}X`
}
export const subject = 'Avviso TARI 2025: rata unica in scadenza'
export const markdown = `Gentile contribuente, le ricordiamo che la rata unica della TARI 2025 scade il 31 dicembre. ${"Può pagarla dall'app IO con pagoPA. ".repeat(6)}`

export async function startAppIoRig(env: (extra: Record<string, string>) => Record<string, string>) {
  const simulator = await startChild<{ port: number }>('App IO simulator', 'bench/messages/appio-simulator.ts', env({}))
  const url = `http://127.0.0.1:${simulator.info.port}`
  const rigEnv = env({ BENCH_PLATFORMS: appioPlatforms(url), BENCH_APPIO_URL: url })
  const deps = await benchDeps('api', { ...process.env, ...rigEnv })
  const snodoQueue = deps.engine.queue(queueNames.appioMessages)
  const bareQueue = new Queue('bare-appio', { connection: { url: rigEnv.REDIS_URL, maxRetriesPerRequest: null }, prefix: rigEnv.SNODO_REDIS_PREFIX })
  await Promise.all([snodoQueue.pause(), bareQueue.pause()]) // nothing runs until a drain resumes its queue
  const started: Child<unknown>[] = [simulator]
  const abort = async () => void (await Promise.allSettled([bareQueue.close(), deps.close()]))
  abortHooks.add(abort)
  started.push(await startChild('snodo worker', 'bench/delivery/snodo-worker.ts', rigEnv))
  started.push(await startChild('baseline worker', 'bench/messages/baseline-worker.ts', rigEnv))
  const [, snodo, bare] = started as [Child<unknown>, Child<unknown>, Child<unknown>]
  return {
    deps,
    prefix: rigEnv.SNODO_REDIS_PREFIX as string,
    snodoQueue,
    bareQueue,
    pids: { snodo: snodo.child.pid, bare: bare.child.pid, simulator: simulator.child.pid },
    async close() {
      abortHooks.delete(abort)
      await Promise.all(started.map((c) => stopChild(c.child)))
      await bareQueue.close()
      await deps.close()
    },
  }
}
export type AppIoRig = Awaited<ReturnType<typeof startAppIoRig>>

const rounds = 3
const drainTimeoutMs = 30_000

/** acceptMessages in chunks, 8 at once (not timed): a record, a delivery and a job per message. */
async function acceptForSnodo(rig: AppIoRig, count: number, from: number): Promise<string[]> {
  const ids = Array.from({ length: count }, newMessageId)
  const chunk = 250
  await inParallel(Math.ceil(count / chunk), 8, (c) =>
    acceptMessages(
      rig.deps,
      tenant,
      ids.slice(c * chunk, (c + 1) * chunk).map((id, j) => ({ id, fiscalCode: fiscalCodeOf(from + c * chunk + j), subject, markdown, service: ioService })),
    ),
  )
  return ids
}

async function roundOf(rig: AppIoRig, redis: Redis, name: 'snodo' | 'baseline', count: number, from: number): Promise<Drain> {
  const pids = { worker: name === 'snodo' ? rig.pids.snodo : rig.pids.bare, receiver: rig.pids.simulator }
  if (name === 'baseline') {
    for (let i = 0; i < count; i += 1000) {
      const n = Math.min(1000, count - i)
      await rig.bareQueue.addBulk(
        Array.from({ length: n }, (_, j) => ({
          name: 'message',
          data: { fiscalCode: fiscalCodeOf(from + i + j), subject, markdown },
          opts: { removeOnComplete: true },
        })),
      )
    }
    const d = await drain(rig.bareQueue, count, pids, redis, drainTimeoutMs)
    await rig.bareQueue.pause()
    const { failed = 0 } = await rig.bareQueue.getJobCounts('failed')
    if (failed > 0) throw new Error(`the bare worker failed ${failed} jobs`)
    return d
  }
  const ids = await acceptForSnodo(rig, count, from)
  const before = (await statusCounts(redis, rig.prefix)).succeeded ?? 0
  const d = await drain(rig.snodoQueue, count, pids, redis, drainTimeoutMs)
  await rig.snodoQueue.pause()
  const succeeded = ((await statusCounts(redis, rig.prefix)).succeeded ?? 0) - before
  const sample = await Promise.all(ids.filter((_, i) => i % 50 === 0).map((id) => rig.deps.messages.get(id)))
  const notSent = sample.filter((m) => m?.status !== 'sent').length
  if (succeeded !== count || notSent > 0)
    throw new Error(`Snodo drained its queue but ${succeeded} of ${count} deliveries succeeded, ${notSent} of ${sample.length} sampled messages not sent`)
  return d
}

export async function messageThroughput(rig: AppIoRig, redis: Redis, log: Log) {
  return alternatedDrains({
    rounds,
    warmUp: { each: 1500, seconds: 4, step: 500, min: 2_000, max: 12_000 },
    round: (side, count, at) => roundOf(rig, redis, side, count, at),
    unit: { one: 'message', rates: 'msgs/s', digits: 0 },
    perItem: '3 App IO calls per message',
    target: 0.6,
    log,
  })
}
