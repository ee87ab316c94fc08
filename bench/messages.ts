// npm run bench (third part), issue "App IO": messages against bare baselines measured in the same run.
//   1. messages delivered per second through the App IO simulator (zero latency), concurrency 50:
//      Snodo's worker (profile check → submit → status, records, events) vs a bare BullMQ Worker making the same 3 calls
//   2. one batch of 100,000 recipients: accept, expansion into messages + deliveries, Redis bytes per recipient
// Every part has a hard bound and the run a watchdog; the run's Redis keys (one prefix per run) are
// deleted at the end, on failure too. DESIGN §8: alternate rounds, ratios, parallelism probe before/after.
import { benchEnv } from './bench-env.ts'
import { bounded, deleteKeys, n0, pct } from './delivery/common.ts'
import { batchOf100k } from './messages/batch.ts'
import { ioKey, messageThroughput, startAppIoRig } from './messages/throughput.ts'
import { describeParallelism, effectiveParallelism } from './parallelism.ts'
import { startBenchRun } from './run-guard.ts'

process.env.BENCH_IO_KEY = ioKey // the App IO service key: Snodo's config resolves env:BENCH_IO_KEY in every process
const { redisUrl, runPrefix, home, redis, log, guard } = startBenchRun({ name: 'bench/messages', stem: 'msg', hardLimitMs: 180_000 })

await guard.run(async () => {
  log(`\n=== App IO messages benchmark (run prefix ${runPrefix})`)
  log(`effective parallelism before: ${describeParallelism(await effectiveParallelism())}`)
  const { env } = await benchEnv({ home, runPrefix, redisUrl })

  log(`\n--- 1. messages delivered per second, App IO simulator at zero latency, concurrency 50 [${guard.elapsed()}]`)
  const rig = await startAppIoRig((extra) => ({ ...env('io'), ...extra }))
  const throughput = await bounded('part 1', 75_000, () => messageThroughput(rig, redis, log)).finally(() => rig.close())
  log(`  queues cleaned: ${await deleteKeys(redis, `${runPrefix}-io:*`)} keys deleted`)

  log(`\n--- 2. a batch of 100,000 recipients (CSV): accept, expansion, Redis per recipient [${guard.elapsed()}]`)
  const batch = await bounded('part 2', 90_000, () => batchOf100k(env('batch'), redis, log))

  log(`\n--- summary [${guard.elapsed()}]`)
  log(
    `  1. App IO msgs/s              snodo/baseline ${pct(throughput.ratio).padStart(5)}   target ≥ 60 %: ${throughput.met ? 'met' : 'NOT met'}  (snodo ${n0(throughput.snodoRate)}/s; by total CPU per message: ${pct(throughput.cpuRatio)})`,
  )
  log(
    `  2. 100k batch: accept ${n0(batch.acceptRate)} recipients/s, expansion ${n0(batch.expandRate)} recipients/s, ${n0(batch.bytesPerRecipient)} B of Redis per queued recipient`,
  )
  log(`effective parallelism after: ${describeParallelism(await effectiveParallelism())}`)
})
