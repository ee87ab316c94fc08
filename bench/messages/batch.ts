// Part 2: one batch of 100,000 recipients. Accept: messageBatches.accept (what POST …/message-batches
// calls after auth and validation) on a CSV body — every line checked, the recipients stored, the
// expansion job added — timed in this process. Expansion: Snodo's worker process (startWorkers) runs the
// message-batches job while appio-messages stays paused, so nothing is sent; timed until every recipient
// is a message. Then Redis bytes per recipient: INFO used_memory deltas and MEMORY USAGE by key kind.
import type { Redis } from 'ioredis'
import { queueNames } from '../../src/queues/names.ts'
import { processCpuSeconds, redisCpuSeconds } from '../cpu.ts'
import { keyBytes, n0, startChild, stopChild, usedMemory, waitUntil } from '../delivery/common.ts'
import { jobsLeft } from '../delivery/drain.ts'
import { benchDeps, tenant } from '../delivery/snodo-config.ts'
import { appioPlatforms, fiscalCodeOf, ioService } from './throughput.ts'

const recipients = 100_000
const template = {
  subject: 'TARI 2025: avviso per {{name}}',
  markdown:
    "Gentile {{name}}, la rata unica della TARI 2025 di {{amount}} euro scade il 31 dicembre. Può pagarla dall'app IO con pagoPA, oppure presso gli sportelli del Comune.",
}
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

/** A key's kind: its name with the ids of messages, deliveries, batches and citizens taken out. */
const kindOf = (key: string) =>
  key
    .replace(/msg_[0-9a-f]{32}/, '<msg>')
    .replace(/dlv_[\w-]{26}/, '<dlv>')
    .replace(/mb_[0-9a-f]{32}/, '<batch>')
    .replace(/[A-Z]{6}[0-9A-Z]{2}[A-Z][0-9A-Z]{2}[A-Z][0-9A-Z]{3}[A-Z]$/, '<fiscalCode>')

/** MEMORY USAGE by kind: each kind's mean from up to 300 of its keys, times its count. */
async function bytesByKind(redis: Redis, prefix: string) {
  const found = new Map<string, { count: number; sample: string[] }>()
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000)
    cursor = next
    for (const key of keys) {
      const kind = kindOf(key.slice(prefix.length + 1))
      const entry = found.get(kind) ?? found.set(kind, { count: 0, sample: [] }).get(kind)
      if (entry && entry.count++ < 300) entry.sample.push(key)
    }
  } while (cursor !== '0')
  const mean = async (keys: string[]) => (await Promise.all(keys.map((k) => keyBytes(redis, k)))).reduce((a, b) => a + b, 0) / keys.length
  const kinds = await Promise.all([...found].map(async ([kind, { count, sample }]) => ({ kind, count, bytes: count * (await mean(sample)) })))
  return kinds.sort((a, b) => b.bytes - a.bytes)
}

export async function batchOf100k(env: Record<string, string>, redis: Redis, log: (line: string) => void) {
  const prefix = env.SNODO_REDIS_PREFIX as string
  const batchEnv = { ...env, BENCH_PLATFORMS: appioPlatforms('http://127.0.0.1:9') } // nothing is sent: App IO is never called
  const deps = await benchDeps('api', { ...process.env, ...batchEnv })
  const expansion = deps.engine.queue(queueNames.messageBatches)
  const sending = deps.engine.queue(queueNames.appioMessages)
  await Promise.all([expansion.pause(), sending.pause()])
  const worker = await startChild('snodo worker', 'bench/delivery/snodo-worker.ts', batchEnv)
  try {
    const csv = `fiscalCode,name,amount\n${Array.from({ length: recipients }, (_, i) => `${fiscalCodeOf(i)},Contribuente ${i + 1},${(100 + (i % 900)).toFixed(2)}`).join('\n')}\n`
    const mem0 = await usedMemory(redis)
    const cpu0 = { self: process.cpuUsage(), redis: await redisCpuSeconds(redis) }
    const t0 = performance.now()
    const accepted = await deps.messageBatches.accept({ tenantId: tenant, service: ioService, template, format: 'csv', recipients: csv })
    const acceptS = (performance.now() - t0) / 1000
    const acceptCpu = process.cpuUsage(cpu0.self)
    const acceptRedis = (await redisCpuSeconds(redis)) - cpu0.redis
    if (!('batch' in accepted) || accepted.batch.total !== recipients)
      throw new Error(`the batch was not accepted whole: ${JSON.stringify(accepted).slice(0, 300)}`)
    const { id } = accepted.batch
    const mem1 = await usedMemory(redis)
    const todo = await keyBytes(redis, `${deps.batches.key(id)}:todo`)
    log(
      `  accept: ${recipients} recipients (CSV ${mib(csv.length)}) checked, stored and queued in ${acceptS.toFixed(2)} s = ${n0(recipients / acceptS)} recipients/s; CPU of the accepting process ${((acceptCpu.user + acceptCpu.system) / recipients).toFixed(1)} µs/recipient, redis ${((acceptRedis * 1e6) / recipients).toFixed(1)} µs/recipient`,
    )
    log(
      `    Redis while waiting to expand: used_memory +${mib(mem1 - mem0)} = ${n0((mem1 - mem0) / recipients)} B/recipient; MEMORY USAGE of the to-do list ${n0(todo / recipients)} B/recipient`,
    )

    const before = { worker: processCpuSeconds(worker.child.pid), redis: await redisCpuSeconds(redis) }
    const t1 = performance.now()
    await expansion.resume()
    await waitUntil('expansion', async () => (await deps.batches.get(id))?.counts.accepted === recipients, 85_000, 100)
    const expandS = (performance.now() - t1) / 1000
    const workerUs = ((processCpuSeconds(worker.child.pid) - before.worker) * 1e6) / recipients
    const redisUs = (((await redisCpuSeconds(redis)) - before.redis) * 1e6) / recipients
    const queued = await jobsLeft(sending)
    const sample = await deps.messages.get((await deps.batches.messages(id, recipients - 1, 1))[0]?.messageId ?? '')
    log(
      `  expansion: ${recipients} messages + deliveries + jobs made in ${expandS.toFixed(2)} s = ${n0(recipients / expandS)} recipients/s; CPU/recipient worker ${n0(workerUs)} µs, redis ${n0(redisUs)} µs; ${queued} jobs waiting on the paused appio-messages queue; last message "${sample?.data.subject}" (${sample?.status})`,
    )
    if (queued !== recipients) throw new Error(`expected ${recipients} queued message jobs, found ${queued}`)

    const mem2 = await usedMemory(redis)
    const kinds = await bytesByKind(redis, prefix)
    log(
      `  Redis once expanded, per recipient: used_memory +${mib(mem2 - mem0)} since before the accept = ${n0((mem2 - mem0) / recipients)} B (whole server: other runs on this Redis move it too); by MEMORY USAGE:`,
    )
    const many = kinds.filter((k) => k.count >= 1000)
    for (const k of many)
      log(
        `    ${k.kind.padEnd(36)} ${String(k.count).padStart(7)} keys × ${n0(k.bytes / k.count).padStart(5)} B = ${n0(k.bytes / recipients).padStart(5)} B/recipient`,
      )
    const few = kinds.filter((k) => k.count < 1000)
    log(
      `    ${`${few.length} other kinds (${few.reduce((a, k) => a + k.count, 0)} keys)`.padEnd(57)} = ${n0(few.reduce((a, k) => a + k.bytes, 0) / recipients).padStart(5)} B/recipient; largest: ${few
        .slice(0, 5)
        .map((k) => `${k.kind}${k.count > 1 ? ` (${k.count} keys)` : ''} ${mib(k.bytes)}`)
        .join(', ')}`,
    )
    const total = kinds.reduce((a, k) => a + k.bytes, 0)
    log(`    total ${n0(total / recipients)} B/recipient ≈ ${mib(total)} for the batch while its messages wait to be sent`)
    return { acceptRate: recipients / acceptS, expandRate: recipients / expandS, bytesPerRecipient: total / recipients }
  } finally {
    await stopChild(worker.child)
    await deps.close()
  }
}
