// Part 3: Redis bytes a completed webhook delivery keeps, by key kind (MEMORY USAGE … SAMPLES 0: exact
// for the key, allocator overhead included), during its retention and after it. Expiry is simulated:
// PEXPIRE on the records themselves (as if succeededRetentionSeconds had passed), then the store's own
// trim() run with a clock moved past each retention, as the sweeper would run it then.
import type { Redis } from 'ioredis'
import type { Deps } from '../../src/deps.ts'
import { createDeliveryStore } from '../../src/queues/delivery-store.ts'
import { countKeys, keyBytes, n0, sleep, usedMemory } from './common.ts'
import { statusCounts } from './drain.ts'
import { tenant } from './snodo-config.ts'

const sampleSize = 400

async function pipelined(redis: Redis, ids: string[], command: (p: ReturnType<Redis['pipeline']>, id: string) => void): Promise<unknown[]> {
  const out: unknown[] = []
  for (let i = 0; i < ids.length; i += 5000) {
    const p = redis.pipeline()
    for (const id of ids.slice(i, i + 5000)) command(p, id)
    for (const [err, value] of (await p.exec()) ?? []) out.push(err ?? value)
  }
  return out
}

export async function retainedBytes(ctx: { deps: Deps; redis: Redis; prefix: string; usedMemoryBefore: number; log: (line: string) => void }) {
  const { redis, prefix, log } = ctx
  const { succeededRetentionSeconds, deadRetentionSeconds } = ctx.deps.config.delivery
  const ids = await redis.zrange(`${prefix}:dlv:idx:succeeded`, '0', '-1')
  const n = ids.length
  if (n === 0) throw new Error('no succeeded delivery to measure')
  const sample = ids.filter((_, i) => i % Math.max(1, Math.floor(n / sampleSize)) === 0).slice(0, sampleSize)
  const mean = async (keys: string[]) => (await Promise.all(keys.map((k) => keyBytes(redis, k)))).reduce((a, b) => a + b, 0) / keys.length
  const record = await mean(sample.map((id) => `${prefix}:dlv:${id}`))
  const attempts = await mean(sample.map((id) => `${prefix}:dlv:${id}:att`))
  const ttl = await redis.ttl(`${prefix}:dlv:${sample[0]}`)
  const indexBytes = async () => ((await keyBytes(redis, `${prefix}:dlv:idx`)) + (await keyBytes(redis, `${prefix}:dlv:idx:succeeded`))) / n
  const index = await indexBytes()
  const counts = await statusCounts(redis, prefix)
  const jobKeysLeft = await countKeys(redis, `${prefix}:webhooks:dlv_*`) // removeOnComplete: none expected
  const stream = `${prefix}:events:${tenant}`
  const streamLength = await redis.xlen(stream)
  const perEvent = (await keyBytes(redis, stream)) / Math.max(1, streamLength)
  const bullEvents = await keyBytes(redis, `${prefix}:webhooks:events`)
  const usedDelta = ((await usedMemory(redis)) - ctx.usedMemoryBefore) / n
  const during = record + attempts + index

  log(
    `  ${n} succeeded deliveries (status indexes: ${Object.entries(counts)
      .map(([s, c]) => `${s} ${c}`)
      .join(', ')}; pending markers ${await redis.zcard(`${prefix}:dlv:pending`)}; BullMQ job keys left ${jobKeysLeft})`,
  )
  log(
    `  during retention (TTL ${ttl} s = succeededRetentionSeconds ${succeededRetentionSeconds}), per delivery, MEMORY USAGE on ${sample.length} sampled records:`,
  )
  log(`    record hash dlv:<id>           ${n0(record).padStart(6)} B`)
  log(`    attempts list dlv:<id>:att     ${n0(attempts).padStart(6)} B   (1 attempt)`)
  log(`    index entries idx + idx:succ.  ${n0(index).padStart(6)} B   (whole sorted sets / ${n})`)
  log(`    total                          ${n0(during).padStart(6)} B   ≈ ${((during * 1e6) / 2 ** 30).toFixed(2)} GiB per million deliveries kept`)
  log(
    `    cross-check, INFO used_memory delta over part 2 / ${n}: ${n0(usedDelta)} B (whole server: includes the event stream, BullMQ's event streams and anything else on this Redis)`,
  )
  log(
    `  not per delivery: the tenant's event stream ${n0(perEvent)} B per event (${streamLength} events; trimmed past events.retentionSeconds by the sweeper, and capped by MAXLEN ~1,000,000 per tenant); BullMQ's own event stream of the queue ${n0(bullEvents / 1024)} KiB (capped, fixed)`,
  )

  // Retention passes: the record and its attempts expire by their own TTL (set at success) …
  const before = await usedMemory(redis)
  await pipelined(redis, ids, (p, id) => p.pexpire(`${prefix}:dlv:${id}`, 1).pexpire(`${prefix}:dlv:${id}:att`, 1))
  await sleep(20)
  const alive = (await pipelined(redis, ids, (p, id) => p.exists(`${prefix}:dlv:${id}`, `${prefix}:dlv:${id}:att`))).reduce((a: number, b) => a + Number(b), 0)
  const afterExpiry = await indexBytes()
  // … then the sweeper's trim, at a clock past the succeeded retention, and past the dead retention.
  const trimAt = async (seconds: number) => {
    await createDeliveryStore(redis, prefix, () => new Date(Date.now() + (seconds + 1) * 1000)).trim({
      succeededSeconds: succeededRetentionSeconds,
      deadSeconds: deadRetentionSeconds,
    })
    return { all: await redis.zcard(`${prefix}:dlv:idx`), succeeded: await redis.zcard(`${prefix}:dlv:idx:succeeded`), bytes: await indexBytes() }
  }
  const afterSucceeded = await trimAt(succeededRetentionSeconds)
  const afterDead = await trimAt(deadRetentionSeconds)
  const freed = (before - (await usedMemory(redis))) / n
  log(
    `  after retention: records and attempt lists of all ${n} expired (keys still there: ${alive}); index entries left ${n0(afterExpiry)} B/delivery until the sweeper trims`,
  )
  log(
    `    trim past succeededRetentionSeconds (${succeededRetentionSeconds} s): idx:succeeded ${afterSucceeded.succeeded} entries, idx ${afterSucceeded.all} entries → ${n0(afterSucceeded.bytes)} B/delivery`,
  )
  log(`    (the all-deliveries index idx is trimmed at max(succeeded, dead) retention = ${Math.max(succeededRetentionSeconds, deadRetentionSeconds)} s)`)
  log(`    trim past deadRetentionSeconds (${deadRetentionSeconds} s): idx ${afterDead.all} entries → ${n0(afterDead.bytes)} B/delivery`)
  log(`    cross-check, INFO used_memory freed by expiry + trims / ${n}: ${n0(freed)} B`)
  return { during, afterSucceededTrim: afterSucceeded.bytes, afterAllTrims: afterDead.bytes, alive }
}
