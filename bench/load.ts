// A bounded load generator: pre-built requests, fixed concurrency, keep-alive undici Pool.
// It stops after the duration or when the requests run out, whichever comes first.
import { Pool } from 'undici'

export type PreparedRequest = { path: string; headers: Record<string, string>; body: string }
export type LoadResult = { requests: number; errors: number; seconds: number; rps: number; p50Ms: number; p99Ms: number }

export async function runLoad(origin: string, requests: PreparedRequest[], options: { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1 })
  const latencies: number[] = []
  let next = 0
  let errors = 0
  const started = performance.now()
  const deadline = started + options.durationMs
  const worker = async () => {
    while (next < requests.length && performance.now() < deadline) {
      const request = requests[next++] as PreparedRequest
      const t0 = performance.now()
      const res = await pool.request({ origin, path: request.path, method: 'POST', headers: request.headers, body: request.body })
      await res.body.dump()
      latencies.push(performance.now() - t0)
      if (res.statusCode !== 200) errors++
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  await pool.close()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) }
}
