// Effective parallelism probe (DESIGN §8): one CPU-bound loop alone vs two at once. 2.0 means two
// real cores; near 1.0 means the host behaves like one core right now, and ratios must be read so.
import { Worker } from 'node:worker_threads'

const spin = `
  const { parentPort } = require('node:worker_threads')
  const start = performance.now()
  let x = 0
  for (let i = 0; i < 300_000_000; i++) x = (x + i * 7) % 1_000_003
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

export async function effectiveParallelism(): Promise<{ aloneMs: number; pairMs: number; parallelism: number }> {
  const aloneMs = await loop()
  const pair = await Promise.all([loop(), loop()])
  const pairMs = Math.max(...pair)
  return { aloneMs, pairMs, parallelism: (2 * aloneMs) / pairMs }
}
