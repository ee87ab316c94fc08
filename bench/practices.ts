// npm run bench (fifth part), issue "Practices": practices against bare baselines measured in the same run.
//   1. practices with one 1 MB attachment registered per second at the sandbox's protocollo simulator
//      (DOCAREA: Login → Inserimento → Protocollazione), concurrency 50: Snodo's worker vs a bare BullMQ
//      Worker making the same calls with the `soap` client
// (Memory while a large document streams in: bench/uploads.ts.)
// Every part has a hard bound and the run a watchdog; the run's Redis keys (one prefix per run) and temp
// directory are deleted at the end, on failure too. DESIGN §8: alternate rounds, ratios, parallelism probe.
import { benchEnv } from './bench-env.ts'
import { bounded, deleteKeys, pct } from './delivery/common.ts'
import { describeParallelism, effectiveParallelism } from './parallelism.ts'
import { practiceThroughput, startProtocolloRig } from './practices/throughput.ts'
import { startBenchRun } from './run-guard.ts'

const { redisUrl, runPrefix, home, redis, log, guard } = startBenchRun({ name: 'bench/practices', stem: 'prat', hardLimitMs: 150_000 })

await guard.run(async () => {
  log(`\n=== Practices benchmark (run prefix ${runPrefix})`)
  log(`effective parallelism before: ${describeParallelism(await effectiveParallelism())}`)
  const { env } = await benchEnv({ home, runPrefix, redisUrl })

  log(`\n--- 1. practices (one 1 MiB attachment) registered per second at the protocollo simulator, concurrency 50 [${guard.elapsed()}]`)
  const rig = await startProtocolloRig((extra) => ({ ...env('prot'), ...extra }))
  const throughput = await bounded('part 1', 70_000, () => practiceThroughput(rig, redis, log)).finally(() => rig.close())
  log(`  queues cleaned: ${await deleteKeys(redis, `${runPrefix}-prot:*`)} keys deleted`)

  log(`\n--- summary [${guard.elapsed()}]`)
  log(
    `  1. practices/s   snodo/baseline ${pct(throughput.ratio).padStart(5)}  (snodo ${throughput.snodoRate.toFixed(1)}/s; by total CPU per practice: ${pct(throughput.cpuRatio)})`,
  )
  log(`effective parallelism after: ${describeParallelism(await effectiveParallelism())}`)
})
