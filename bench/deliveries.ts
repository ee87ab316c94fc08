// npm run bench (second half): the delivery engine against bare baselines measured in the same run.
//   1. accept path: a signed ping (auth, integrity, idempotency, audit, publish + enqueue) vs jose + zod + BullMQ add
//   2. webhook delivery throughput to a local receiver at concurrency 50: Snodo's worker vs a bare BullMQ Worker
//   3. Redis bytes a completed delivery keeps, during retention and after it
//   4. enqueue of 100,000 deliveries, and the drain rate with that backlog present
// Every part has a hard bound and the whole run a watchdog; the run's Redis keys (one prefix per run)
// are deleted at the end, on failure too. DESIGN §8: alternate rounds, ratios, parallelism probe before/after.
import { benchEnv } from './bench-env.ts'
import { acceptPath } from './delivery/accept.ts'
import { bounded, deleteKeys, n0, pct } from './delivery/common.ts'
import { retainedBytes } from './delivery/memory.ts'
import { deliveryThroughput, type Rig, startRig, withBacklog } from './delivery/throughput.ts'
import { describeParallelism, effectiveParallelism } from './parallelism.ts'
import { startBenchRun } from './run-guard.ts'

const { redisUrl, runPrefix, home, redis, log, guard } = startBenchRun({ name: 'bench/deliveries', stem: 'dlv', hardLimitMs: 275_000 })
const elapsed = guard.elapsed

await guard.run(async () => {
  log(`\n=== delivery benchmark (run prefix ${runPrefix})`)
  log(`effective parallelism before: ${describeParallelism(await effectiveParallelism())}`)
  const { key, env } = await benchEnv({ home, runPrefix, redisUrl })

  log(`\n--- 1. accept path: signed POST …/webhook-endpoints/{id}/ping → 202 (event + delivery + job), no worker running [${elapsed()}]`)
  const accept = await bounded('part 1', 120_000, () => acceptPath({ env: env('accept'), key, redis, log })).finally(async () => {
    log(`  queues cleaned: ${await deleteKeys(redis, `${runPrefix}-accept:*`)} keys deleted`)
  })

  log(`\n--- 2. webhook delivery throughput to a local receiver (node:http, 200 at once), concurrency 50 [${elapsed()}]`)
  const drainEnv = env('drain')
  const rig: Rig = await startRig(drainEnv)
  try {
    const usedMemoryBefore = Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1])
    const throughput = await bounded('part 2', 95_000, () => deliveryThroughput(rig, redis, log))

    log(`\n--- 3. Redis bytes per completed delivery [${elapsed()}]`)
    const memory = await bounded('part 3', 20_000, () => retainedBytes({ deps: rig.deps, redis, prefix: rig.prefix, usedMemoryBefore, log }))

    log(`\n--- 4. 100,000 deliveries queued [${elapsed()}]`)
    const backlog = await bounded('part 4', 75_000, () => withBacklog(rig, redis, throughput, log))

    log(`\n--- summary [${elapsed()}]`)
    log(
      `  1. accept path req/s          snodo/baseline ${pct(accept.ratio).padStart(5)}   target ≥ 50 %: ${accept.met ? 'met' : 'NOT met'}; snodo/same-crypto ${pct(accept.sameCryptoRatio)}`,
    )
    log(
      `  2. webhook deliveries/s       snodo/baseline ${pct(throughput.ratio).padStart(5)}   target ≥ 60 %: ${throughput.met ? 'met' : 'NOT met'}  (by total CPU per delivery: ${pct(throughput.cpuRatio)})`,
    )
    log(
      `  3. Redis per completed delivery: ${n0(memory.during)} B during retention; ${n0(memory.afterSucceededTrim)} B after the succeeded retention (index entries until the dead retention), ${n0(memory.afterAllTrims)} B after both`,
    )
    log(
      `  4. 100k backlog: enqueue ${n0(backlog.enqueueRate)}/s, ${n0(backlog.bytesPerQueued)} B per queued delivery; drain ${n0(backlog.rate)}/s = ${pct(backlog.ratio)} of the small-backlog rate`,
    )
  } finally {
    await rig.close()
  }
  log(`effective parallelism after: ${describeParallelism(await effectiveParallelism())}`)
})
