// Part 1: practices with one 1 MB attachment registered per second at the protocollo simulator. The rig:
// the simulator, Snodo's worker process (startWorkers, as `--role worker` runs it; backoffice concurrency
// 50) and the bare soap-client worker, both queues paused until a drain. Snodo's practices are accepted
// with acceptPractice (record, document, timeline, delivery, job) before the clock starts; the baseline's
// jobs are added in bulk; only the drain is timed (delivery/drain.ts), then every practice is checked.
import { randomBytes } from 'node:crypto'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { acceptPractice } from '../../src/practices/accept-practice.ts'
import { queueNames } from '../../src/queues/names.ts'
import { alternatedDrains } from '../alternated-drains.ts'
import { abortHooks, type Child, deleteKeys, inParallel, startChild, stopChild } from '../delivery/common.ts'
import { type Drain, drain } from '../delivery/drain.ts'
import { benchDeps, tenant } from '../delivery/snodo-config.ts'
import type { BarePractice } from './soap-baseline-worker.ts'

type Log = (line: string) => void
type SimulatorInfo = { port: number; settings: unknown; env: Record<string, string> }
const serviceCode = 'bench-suap'
const document = randomBytes(2 ** 20) // one 1 MiB attachment, the same bytes for every practice
const base64 = document.toString('base64')
const rounds = 3
const drainTimeoutMs = 30_000

const practiceOf = (i: number) => ({
  serviceCode,
  subject: `Richiesta di contributo affitto n. ${i}`,
  applicant: {
    fiscalCode: `BNCHMK80A01Y${String(i % 1000).padStart(3, '0')}X`,
    givenName: 'Maria',
    familyName: `Bench ${i}`,
    email: 'maria.bench@example.invalid',
  },
  submittedAt: new Date().toISOString(),
  channel: 'online' as const,
})

export async function startProtocolloRig(env: (extra: Record<string, string>) => Record<string, string>) {
  const simulator = await startChild<SimulatorInfo>('protocollo simulator', 'bench/practices/protocollo-simulator.ts', env({}))
  const url = `http://127.0.0.1:${simulator.info.port}`
  Object.assign(process.env, simulator.info.env) // the credentials' env: references are resolved from this process's environment too
  const platforms = {
    backoffice: { enabled: true, baseUrl: url, protocol: simulator.info.settings, services: [{ serviceCode, name: 'Bench SUAP', routing: { mode: 'pull' } }] },
  }
  const rigEnv = env({
    ...simulator.info.env,
    BENCH_PLATFORMS: JSON.stringify(platforms),
    BENCH_PROTOCOL: JSON.stringify(simulator.info.settings),
    BENCH_PROTOCOLLO_ENV: JSON.stringify(simulator.info.env),
    BENCH_PROTOCOLLO_URL: url,
  })
  const deps = await benchDeps('api', { ...process.env, ...rigEnv })
  const snodoQueue = deps.engine.queue(queueNames.backofficePractices)
  const bareQueue = new Queue<BarePractice>('bare-protocollo', {
    connection: { url: rigEnv.REDIS_URL, maxRetriesPerRequest: null },
    prefix: rigEnv.SNODO_REDIS_PREFIX,
  })
  await Promise.all([snodoQueue.pause(), bareQueue.pause()])
  const started: Child<unknown>[] = [simulator]
  const abort = async () => void (await Promise.allSettled([bareQueue.close(), deps.close()]))
  abortHooks.add(abort)
  started.push(await startChild('snodo worker', 'bench/delivery/snodo-worker.ts', rigEnv))
  started.push(await startChild('baseline worker', 'bench/practices/soap-baseline-worker.ts', rigEnv))
  const [, snodo, bare] = started as [Child<unknown>, Child<unknown>, Child<unknown>]
  const tenantConfig = deps.tenants.get(tenant)
  if (!tenantConfig) throw new Error(`no tenant ${tenant}`)
  /** Empties the simulator's stores between rounds; answers what it registered and found wrong since the last time. */
  const clearSimulator = () =>
    new Promise<{ registered: number; problems: string[] }>((resolve) => {
      simulator.child.stdout?.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as { registered: number; problems: string[] }))
      simulator.child.stdin?.write('clear\n')
    })
  return {
    deps,
    tenantConfig,
    snodoQueue,
    bareQueue,
    clearSimulator,
    prefix: rigEnv.SNODO_REDIS_PREFIX as string,
    pids: { snodo: snodo.child.pid, bare: bare.child.pid, simulator: simulator.child.pid },
    async close() {
      abortHooks.delete(abort)
      await Promise.all(started.map((c) => stopChild(c.child)))
      await bareQueue.close()
      await deps.close()
    },
  }
}
export type ProtocolloRig = Awaited<ReturnType<typeof startProtocolloRig>>

async function roundOf(rig: ProtocolloRig, redis: Redis, name: 'snodo' | 'baseline', count: number, from: number): Promise<Drain> {
  const pids = { worker: name === 'snodo' ? rig.pids.snodo : rig.pids.bare, receiver: rig.pids.simulator }
  let ids: string[] = []
  if (name === 'baseline') {
    await rig.bareQueue.addBulk(
      Array.from({ length: count }, (_, j) => ({
        name: 'practice',
        data: { ...practiceOf(from + j), correlationKey: `bare_${from + j}`, name: 'domanda.pdf', base64 },
        opts: { removeOnComplete: true },
      })),
    )
  } else {
    ids = new Array<string>(count)
    await inParallel(count, 8, async (j) => {
      ids[j] = (
        await acceptPractice(rig.deps, rig.tenantConfig, {
          ...practiceOf(from + j),
          data: { nucleo: 3 },
          attachments: [{ name: 'domanda.pdf', contentType: 'application/pdf', contentBase64: base64 }],
        })
      ).id
    })
  }
  const queue = name === 'snodo' ? rig.snodoQueue : rig.bareQueue
  const d = await drain(queue, count, pids, redis, drainTimeoutMs)
  await queue.pause()
  const { registered, problems } = await rig.clearSimulator()
  if (name === 'baseline') {
    const { failed = 0 } = await rig.bareQueue.getJobCounts('failed')
    if (failed > 0) throw new Error(`the bare worker failed ${failed} jobs`)
  } else {
    const statuses = await Promise.all(ids.map(async (id) => (await rig.deps.practices.get(id))?.status))
    const notRegistered = statuses.filter((s) => s !== 'registered').length
    if (notRegistered > 0)
      throw new Error(`Snodo drained its queue but ${notRegistered} of ${count} practices are not registered (${[...new Set(statuses)].join(', ')})`)
    await deleteKeys(redis, `${rig.prefix}:prat-doc:*`) // 1 MB each: Redis would otherwise hold every round's documents
  }
  if (registered !== count || problems.length > 0)
    throw new Error(`${name}: the simulator registered ${registered} of ${count}; problems: ${problems.slice(0, 3).join('; ')}`)
  return d
}

export async function practiceThroughput(rig: ProtocolloRig, redis: Redis, log: Log) {
  return alternatedDrains({
    rounds,
    // At least 80 per round: more than the 50 lanes, so a round is not just one burst.
    warmUp: { each: 30, seconds: 6, step: 10, min: 80, max: 300 },
    round: (side, count, at) => roundOf(rig, redis, side, count, at),
    unit: { one: 'practice', rates: 'practices/s', digits: 1 },
    perItem: 'Login, Inserimento of 1 MiB, Protocollazione per practice',
    log,
  })
}
