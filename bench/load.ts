// A bounded load generator: pre-built requests, fixed concurrency, one keep-alive undici Pool.
// It stops when the duration is over or the requests run out, whichever comes first, and every
// request has its own timeout, so a stuck server cannot hang the run.
import { Pool } from 'undici'

export type PreparedRequest = { path: string; headers: Record<string, string>; body: string }
export type LoadResult = {
  requests: number
  /** Answers other than 200, by status ("error" for a failed request). */
  failures: Record<string, number>
  seconds: number
  /** True when the prepared requests ran out before the duration was over. */
  exhausted: boolean
  rps: number
  p50Ms: number
  p99Ms: number
}

export async function runLoad(origin: string, requests: PreparedRequest[], options: { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 })
  const latencies: number[] = []
  const failures: Record<string, number> = {}
  let next = 0
  const started = performance.now()
  const deadline = started + options.durationMs
  const worker = async () => {
    while (next < requests.length && performance.now() < deadline) {
      const request = requests[next++] as PreparedRequest
      const t0 = performance.now()
      try {
        const res = await pool.request({ path: request.path, method: 'POST', headers: request.headers, body: request.body })
        await res.body.dump()
        latencies.push(performance.now() - t0)
        if (res.statusCode !== 200) failures[res.statusCode] = (failures[res.statusCode] ?? 0) + 1
      } catch {
        failures.error = (failures.error ?? 0) + 1
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  await pool.close()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? Number.NaN
  return {
    requests: latencies.length,
    failures,
    seconds,
    exhausted: next >= requests.length && seconds * 1000 < options.durationMs,
    rps: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  }
}
