// npm run bench (sixth part), issue 6 "memory while streaming a 50 MB attachment stays flat": the
// growth of a server's memory while one document of 5, 50 and 200 MiB streams in, Snodo's whole app
// (POST /v1/tenants/{t}/documents: auth, signed headers, size limit, SHA-256 against the Digest, file
// on disk) vs a bare node:http server piping the body through a SHA-256 hash into a file, in the same
// run, alternately. Flat: the peak growth does not grow with the size — the 200 MiB upload costs about
// what the 5 MiB one does. The run's Redis keys and temp directory are deleted at the end, on failure too.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { benchEnv } from './bench-env.ts'
import { bounded, startChild } from './delivery/common.ts'
import { describeParallelism, effectiveParallelism } from './parallelism.ts'
import { startBenchRun } from './run-guard.ts'
import { downloadGrowth, heldWhilePaused, memoryGrowth, mib, type Side, type SizeResult } from './uploads/memory-growth.ts'

const sizesMiB = [5, 50, 200]
const rounds = 3
const heldSizeMiB = 200
const { redisUrl, runPrefix, home, redis, log, guard } = startBenchRun({ name: 'bench/uploads', stem: 'upl', hardLimitMs: 150_000 })

await guard.run(async () => {
  log(`\n=== Document upload memory benchmark (run prefix ${runPrefix})`)
  log(`effective parallelism before: ${describeParallelism(await effectiveParallelism())}`)
  const { key, env } = await benchEnv({ home, runPrefix, redisUrl })
  const documents = join(home, 'documents')
  mkdirSync(documents)
  const serverEnv = { ...env('docs'), BENCH_DOCUMENTS_DIR: documents }
  const scripts = { baseline: 'bench/uploads/baseline-upload-server.ts', snodo: 'bench/uploads/snodo-upload-server.ts' }
  const start = (side: Side) => startChild<{ port: number }>(`${side} upload server`, scripts[side], serverEnv)

  log(
    `\n--- 1. growth of a fresh server's memory over its idle, collected floor while one upload streams in (${rounds} rounds, alternated) [${guard.elapsed()}]`,
  )
  const results = await bounded('part 1', 100_000, () => memoryGrowth({ start, key, sizesMiB, rounds, log }))
  log(`\n--- 2. what the server holds of a ${heldSizeMiB} MiB upload while the client pauses halfway [${guard.elapsed()}]`)
  const held = await bounded('part 2', 30_000, () => heldWhilePaused({ start, key, sizeMiB: heldSizeMiB, log }))

  log(`\n--- 3. Snodo's memory while it serves a stored ${heldSizeMiB} MiB document (GET …/documents/{sha256}/content) [${guard.elapsed()}]`)
  const served = await bounded('part 3', 30_000, () => downloadGrowth({ start, key, sizeMiB: heldSizeMiB, log }))

  log(`\n--- summary: median peak growth over ${rounds} rounds (RSS: the kernel's exact peak; heap, array buffers: sampled every 5 ms) [${guard.elapsed()}]`)
  for (const r of results) {
    const { baseline: b, snodo: s } = r.growth
    log(
      `  ${String(r.mib).padStart(3)} MiB   snodo RSS +${mib(s.rss)}, arrayBuffers +${mib(s.arrayBuffers)}, heap +${mib(s.heapUsed)}   baseline RSS +${mib(b.rss)}, arrayBuffers +${mib(b.arrayBuffers)}   (${r.mibPerSecond.snodo.toFixed(0)} vs ${r.mibPerSecond.baseline.toFixed(0)} MiB/s)`,
    )
  }
  const first = results[0] as SizeResult
  const last = results.at(-1) as SizeResult
  const ratio = (side: Side, field: 'rss' | 'arrayBuffers', from = first) => (last.growth[side][field] / from.growth[side][field]).toFixed(2)
  const middle = results[1] as SizeResult
  log(
    `  peak RSS growth ${last.mib} MiB / ${first.mib} MiB: snodo ${ratio('snodo', 'rss')}×, baseline ${ratio('baseline', 'rss')}×; ${last.mib} MiB / ${middle.mib} MiB: snodo ${ratio('snodo', 'rss', middle)}×, baseline ${ratio('baseline', 'rss', middle)}× (flat: about 1×)`,
  )
  log(`  snodo/baseline peak RSS growth: ${results.map((r) => `${r.mib} MiB ${(r.growth.snodo.rss / r.growth.baseline.rss).toFixed(2)}×`).join(', ')}`)
  log(
    `  held halfway through ${heldSizeMiB} MiB, garbage collected: snodo ${mib(held.snodo.heapUsed + held.snodo.arrayBuffers)}, baseline ${mib(held.baseline.heapUsed + held.baseline.arrayBuffers)} (heap + array buffers)`,
  )
  log(`  ${heldSizeMiB} MiB download: snodo RSS +${mib(served.rss)}, arrayBuffers +${mib(served.arrayBuffers)}`)
  log(`effective parallelism after: ${describeParallelism(await effectiveParallelism())}`)
})
