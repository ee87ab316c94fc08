// npm run bench: a signed 1 KB POST through Snodo's whole accept path (auth, integrity, validation,
// idempotency) vs a bare Hono route doing one jose verify and one zod parse, alternated in one run.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { importSigningKey, signRequest } from '../src/client/index.ts'
import { effectiveParallelism } from './parallelism.ts'
import { type LoadResult, type PreparedRequest, runLoad } from './load.ts'

const rounds = 3
const durationMs = 4_000
const concurrency = 32
const requestsPerRound = 40_000
const audience = 'https://snodo.bench'
const path = '/v1/tenants/comune-bench/echo'

async function startServer(file: string, env: Record<string, string>): Promise<{ origin: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk) => resolve(JSON.parse(String(chunk)).port))
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)))
  })
  return { origin: `http://127.0.0.1:${port}`, child }
}

/** A ~1 KB JSON body, the size the issue names. */
const body = JSON.stringify({ serviceCode: 'SUAP-01', subject: 'Richiesta di accesso agli atti', data: { note: 'x'.repeat(900) } })

async function prepare(count: number, sign: (body: string) => Promise<Record<string, string>>): Promise<PreparedRequest[]> {
  const out: PreparedRequest[] = []
  for (let i = 0; i < count; i++) out.push({ path, headers: { ...(await sign(body)), 'idempotency-key': randomUUID() }, body })
  return out
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

async function main() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const key = await importSigningKey({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' })
  const sign = (b: string) => signRequest(key, { clientId: 'bench-portal', audience }, b)
  const env = { BENCH_PUBLIC_JWK: JSON.stringify({ ...publicJwk, kid, alg: 'ES256' }), BENCH_AUDIENCE: audience, SNODO_REDIS_PREFIX: `bench-${randomUUID().slice(0, 8)}` }

  const probeBefore = await effectiveParallelism()
  console.log(`effective parallelism before: ${probeBefore.parallelism.toFixed(2)} (one loop ${probeBefore.aloneMs.toFixed(0)} ms, two at once ${probeBefore.pairMs.toFixed(0)} ms)`)

  const baseline = await startServer('bench/baseline-server.ts', env)
  const snodo = await startServer('bench/snodo-server.ts', env)
  const results: { baseline: LoadResult[]; snodo: LoadResult[] } = { baseline: [], snodo: [] }
  try {
    // Warm-up: JIT, connection pools, Redis scripts.
    await runLoad(baseline.origin, await prepare(2_000, sign), { concurrency, durationMs: 1_000 })
    await runLoad(snodo.origin, await prepare(2_000, sign), { concurrency, durationMs: 1_000 })
    for (let round = 1; round <= rounds; round++) {
      for (const [name, server] of [['baseline', baseline], ['snodo', snodo]] as const) {
        const requests = await prepare(requestsPerRound, sign) // signed outside the timed window; each jti used once
        const result = await runLoad(server.origin, requests, { concurrency, durationMs })
        results[name].push(result)
        console.log(`round ${round} ${name.padEnd(8)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  (${result.requests} requests, ${result.errors} non-200)`)
      }
    }
  } finally {
    baseline.child.kill('SIGTERM')
    snodo.child.kill('SIGTERM')
    await new Promise((resolve) => snodo.child.once('exit', resolve))
  }

  const summary = (list: LoadResult[]) => ({ rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50Ms)), p99: median(list.map((r) => r.p99Ms)) })
  const b = summary(results.baseline)
  const s = summary(results.snodo)
  const rpsRatio = s.rps / b.rps
  const p99Ratio = s.p99 / b.p99
  console.log('\nmedians over the rounds (signed 1 KB POST, concurrency 32)')
  console.log('               req/s     p50 ms   p99 ms')
  console.log(`baseline     ${b.rps.toFixed(0).padStart(7)}   ${b.p50.toFixed(2).padStart(6)}   ${b.p99.toFixed(2).padStart(6)}`)
  console.log(`snodo        ${s.rps.toFixed(0).padStart(7)}   ${s.p50.toFixed(2).padStart(6)}   ${s.p99.toFixed(2).padStart(6)}`)
  console.log(`ratio req/s  ${(rpsRatio * 100).toFixed(0)} % of baseline (target ≥ 60 %): ${rpsRatio >= 0.6 ? 'met' : 'NOT met'}`)
  console.log(`ratio p99    ${p99Ratio.toFixed(2)}× baseline (target ≤ 2×): ${p99Ratio <= 2 ? 'met' : 'NOT met'}`)

  const probeAfter = await effectiveParallelism()
  console.log(`effective parallelism after: ${probeAfter.parallelism.toFixed(2)} (one loop ${probeAfter.aloneMs.toFixed(0)} ms, two at once ${probeAfter.pairMs.toFixed(0)} ms)`)
}

await main()
