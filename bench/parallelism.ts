// Effective-parallelism probe (DESIGN §8): one CPU-bound loop alone vs two at once, each in its own
// worker thread. ~2.0 means two real cores right now; near 1.0 means the host behaves like one core,
// and every figure of the run must be read so.
import { Worker } from 'node:worker_threads'

const spin = `
  const { parentPort } = require('node:worker_threads')
  const start = performance.now()
  let x = 0
  for (let i = 0; i < 150_000_000; i++) x = (x + i * 7) % 1_000_003
  parentPort.postMessage(performance.now() - start + x * 0)
`

function loop(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(spin, { eval: true })
    worker.once('message', (ms: number) => {
      void worker.terminate()
      resolve(ms)
    })
    worker.once('error', reject)
  })
}

export type Parallelism = { aloneMs: number; pairMs: number; parallelism: number }

export async function effectiveParallelism(): Promise<Parallelism> {
  const aloneMs = await loop()
  const pairMs = Math.max(...(await Promise.all([loop(), loop()])))
  return { aloneMs, pairMs, parallelism: (2 * aloneMs) / pairMs }
}

export const describeParallelism = (p: Parallelism) =>
  `${p.parallelism.toFixed(2)} (one loop alone ${p.aloneMs.toFixed(0)} ms, two at once ${p.pairMs.toFixed(0)} ms)`
