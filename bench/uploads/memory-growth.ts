// The measurements: for each size, the memory growth of a fresh, warmed-up server around one upload,
// baseline and Snodo alternately round by round (DESIGN §8), every answer checked (201, the sha256
// and size sent). A fresh process each time: a server that already took a large upload keeps the
// pages its allocator got back from the GC, and would show the next upload's growth as nothing.
import type { SigningKey } from '../../src/trust/modi.ts'
import { type Child, median, sleep, stopChild } from '../delivery/common.ts'
import type { MemoryGrowth } from './memory-probe.ts'
import { documentsPath, download, type Pause, probeOf, send, upload } from './upload-client.ts'

type Log = (line: string) => void
export type Side = 'baseline' | 'snodo'
export type Start = (side: Side) => Promise<Child<{ port: number }>>
export type SizeResult = { mib: number; growth: Record<Side, MemoryGrowth>; mibPerSecond: Record<Side, number> }

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const cells = (g: MemoryGrowth) => `RSS ${mib(g.rss).padStart(9)}  heap ${mib(g.heapUsed).padStart(9)}  arrayBuffers ${mib(g.arrayBuffers).padStart(9)}`
/** The field-wise median of several rounds. */
const medianOf = (gs: MemoryGrowth[]): MemoryGrowth => ({
  rss: median(gs.map((g) => g.rss)),
  heapUsed: median(gs.map((g) => g.heapUsed)),
  external: median(gs.map((g) => g.external)),
  arrayBuffers: median(gs.map((g) => g.arrayBuffers)),
})

/** One fresh server of `side`, warmed up by a 1 MiB upload (routes, store, crypto loaded), for `use`. */
async function withServer<T>(
  start: Start,
  side: Side,
  key: SigningKey,
  use: (u: (bytes: number, pause?: Pause) => Promise<number>, probe: ReturnType<typeof probeOf>, port: number) => Promise<T>,
): Promise<T> {
  const server = await start(side)
  try {
    const probe = probeOf(server.child)
    /** Uploads and checks the answer; resolves with the MiB/s. */
    const uploadChecked = async (bytes: number, pause?: Pause) => {
      const u = upload(bytes)
      const started = performance.now()
      const answer = await send(server.info.port, documentsPath, u, side === 'snodo' ? key : undefined, pause)
      const seconds = (performance.now() - started) / 1000
      const stored = answer.status === 201 ? (JSON.parse(answer.body) as { sha256: string; size: number }) : undefined
      if (stored?.sha256 !== u.sha256 || stored.size !== bytes)
        throw new Error(`${side}: ${bytes} bytes answered ${answer.status} ${answer.body.slice(0, 300)}`)
      return bytes / 2 ** 20 / seconds
    }
    await uploadChecked(2 ** 20)
    return await use(uploadChecked, probe, server.info.port)
  } finally {
    await stopChild(server.child)
  }
}

export async function memoryGrowth(o: { start: Start; key: SigningKey; sizesMiB: number[]; rounds: number; log: Log }): Promise<SizeResult[]> {
  const results: SizeResult[] = []
  for (const size of o.sizesMiB) {
    const runs: Record<Side, { peak: MemoryGrowth; mibPerSecond: number }[]> = { baseline: [], snodo: [] }
    for (let round = 0; round < o.rounds; round++) {
      for (const side of round % 2 ? (['snodo', 'baseline'] as const) : (['baseline', 'snodo'] as const)) {
        const run = await withServer(o.start, side, o.key, async (uploadChecked, probe) => {
          await probe.mark()
          const mibPerSecond = await uploadChecked(size * 2 ** 20)
          const { peak, afterGc } = await probe.peak()
          o.log(
            `  ${String(size).padStart(3)} MiB  ${side.padEnd(8)}  peak growth ${cells(peak)}   after GC: heap ${mib(afterGc.heapUsed)}, arrayBuffers ${mib(afterGc.arrayBuffers)}   ${mibPerSecond.toFixed(0)} MiB/s`,
          )
          return { peak, mibPerSecond }
        })
        runs[side].push(run)
      }
    }
    results.push({
      mib: size,
      growth: { baseline: medianOf(runs.baseline.map((r) => r.peak)), snodo: medianOf(runs.snodo.map((r) => r.peak)) },
      mibPerSecond: { baseline: median(runs.baseline.map((r) => r.mibPerSecond)), snodo: median(runs.snodo.map((r) => r.mibPerSecond)) },
    })
  }
  return results
}

/** Snodo's growth while a stored document of `size` MiB is downloaded (streamed from the file). */
export async function downloadGrowth(o: { start: Start; key: SigningKey; sizeMiB: number; log: Log }): Promise<MemoryGrowth> {
  return withServer(o.start, 'snodo', o.key, async (uploadChecked, probe, port) => {
    const u = upload(o.sizeMiB * 2 ** 20)
    await uploadChecked(u.bytes)
    await probe.mark()
    const started = performance.now()
    const got = await download(port, u.sha256, o.key)
    const seconds = (performance.now() - started) / 1000
    const { peak } = await probe.peak()
    if (got.status !== 200 || got.sha256 !== u.sha256) throw new Error(`download answered ${got.status}, sha256 ${got.sha256}`)
    o.log(`  snodo     ${o.sizeMiB} MiB downloaded: peak growth ${cells(peak)}   ${(o.sizeMiB / seconds).toFixed(0)} MiB/s`)
    return peak
  })
}

/** What each server still references, garbage collected, while an upload of `size` MiB waits half sent. */
export async function heldWhilePaused(o: { start: Start; key: SigningKey; sizeMiB: number; log: Log }): Promise<Record<Side, MemoryGrowth>> {
  const held = {} as Record<Side, MemoryGrowth>
  for (const side of ['baseline', 'snodo'] as const) {
    await withServer(o.start, side, o.key, async (uploadChecked, probe) => {
      await probe.mark()
      const whilePaused = async () => {
        await sleep(300) // for the bytes already sent to leave the socket buffers
        held[side] = await probe.held()
      }
      await uploadChecked(o.sizeMiB * 2 ** 20, { atByte: (o.sizeMiB / 2) * 2 ** 20, whilePaused })
      await probe.peak()
      o.log(
        `  ${side.padEnd(8)}  ${o.sizeMiB / 2} of ${o.sizeMiB} MiB sent, client paused, after a full GC: heap ${mib(held[side].heapUsed)}, arrayBuffers ${mib(held[side].arrayBuffers)} over the idle floor`,
      )
    })
  }
  return held
}
