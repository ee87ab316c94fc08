// In a benchmark server: its own memory, measured around one upload at a time, on commands read from
// stdin. "mark" collects garbage (so every upload starts from the same floor), takes the baseline and
// resets the kernel's peak-RSS counter; "peak" answers the growth over that baseline of the peak RSS
// (VmHWM: exact, not sampled), and of heap used, external and array buffers sampled every 5 ms, then
// what a full GC leaves; "held", during an upload, what a full GC leaves of it then. gc() only here, in
// the benchmark, made reachable without a node flag.
import { readFileSync, writeFileSync } from 'node:fs'
import { setTimeout } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

export type MemoryGrowth = { rss: number; heapUsed: number; external: number; arrayBuffers: number }
export type ProbeAnswer = { peak: MemoryGrowth; afterGc: MemoryGrowth }

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const fields = ['heapUsed', 'external', 'arrayBuffers'] as const

/** A full GC, twice: array buffers are freed by a concurrent sweeper, counted once it has finished. */
const collect = async () => {
  gc()
  await setTimeout(50)
  gc()
}
const peakRss = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024

export function answerMemoryProbes(): void {
  let baseline = process.memoryUsage()
  let peak = { ...baseline }
  let sampler: NodeJS.Timeout | undefined
  const sample = () => {
    const now = process.memoryUsage()
    for (const f of fields) peak[f] = Math.max(peak[f], now[f])
  }
  const growth = (m: Pick<NodeJS.MemoryUsage, 'rss' | (typeof fields)[number]>): MemoryGrowth => ({
    rss: m.rss - baseline.rss,
    heapUsed: m.heapUsed - baseline.heapUsed,
    external: m.external - baseline.external,
    arrayBuffers: m.arrayBuffers - baseline.arrayBuffers,
  })
  process.stdin.setEncoding('utf8').on('data', async (chunk: string) => {
    for (const command of chunk.split('\n')) {
      if (command === 'mark') {
        await collect()
        writeFileSync('/proc/self/clear_refs', '5') // VmHWM := VmRSS from here on
        baseline = process.memoryUsage()
        peak = { ...baseline }
        clearInterval(sampler)
        sampler = setInterval(sample, 5)
        process.stdout.write('{"marked":true}\n')
      } else if (command === 'held') {
        await collect() // what is still referenced, garbage aside
        process.stdout.write(`${JSON.stringify(growth(process.memoryUsage()))}\n`)
      } else if (command === 'peak') {
        clearInterval(sampler)
        sample()
        const rss = peakRss()
        await collect()
        const answer: ProbeAnswer = { peak: growth({ ...peak, rss }), afterGc: growth(process.memoryUsage()) }
        process.stdout.write(`${JSON.stringify(answer)}\n`)
      }
    }
  })
}
