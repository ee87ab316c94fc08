// npm run bench: a signed 1 KB POST through Snodo's whole accept path (auth, integrity, validation,
// idempotency, response signing) vs a bare Hono route doing one jose verify and one zod parse (the
// issue's baseline), and vs the same bare route also doing Snodo's two other ECDSA operations
// (verify the Agid-JWT-Signature, sign the answer): what Snodo costs beyond its signatures.
// Both servers run in child processes; this process only signs (outside the timed windows) and loads.
// Rounds alternate the two servers, so the host's speed drift touches both (DESIGN §8).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { request } from 'undici'
import { importSigningKey, signRequest } from '../src/client/index.ts'
import { processCpuSeconds, redisCpuSeconds } from './cpu.ts'
import { type LoadResult, type PreparedRequest, runLoad } from './load.ts'
import { describeParallelism, effectiveParallelism } from './parallelism.ts'

const rounds = 3
const durationMs = 5_000
const warmUpMs = 2_000
const concurrency = 32
const maxRequestsPerRound = 80_000 // signing costs ~0.15 ms each in this process: bounds the run
const hardLimitMs = 240_000
const audience = 'https://snodo.bench'
const tenant = 'comune-bench'
const path = `/v1/tenants/${tenant}/echo`
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A 1 KB JSON body, the size the issue names. */
const body = JSON.stringify({ serviceCode: 'SUAP-01', subject: 'Richiesta di accesso agli atti', data: { note: 'x'.repeat(934) } })

type Name = 'baseline' | 'same-crypto' | 'snodo'
type Server = { name: Name; origin: string; child: ChildProcess }
type Round = LoadResult & { serverCpuUsPerRequest: number; redisCpuUsPerRequest: number; loaderCpuUsPerRequest: number }

const children: ChildProcess[] = []
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${hardLimitMs / 1000} s, giving up`)
  for (const child of children) child.kill('SIGTERM')
  setTimeout(() => process.exit(2), 5_000).unref()
}, hardLimitMs)
watchdog.unref()

async function startServer(name: Name, env: Record<string, string>): Promise<Server> {
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [] // e.g. --cpu-prof --cpu-prof-dir=/tmp/prof
  const script = name === 'snodo' ? 'bench/snodo-server.ts' : 'bench/baseline-server.ts'
  const own = name === 'same-crypto' ? { BENCH_SAME_CRYPTO: '1' } : {}
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env, ...own }, stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} server did not start within 15 s`)), 15_000)
    createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).once('line', (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line).port)
    })
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)))
  })
  return { name, origin: `http://127.0.0.1:${port}`, child }
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** Signed requests for `ms` at `rps`, with a margin (each jti is single-use, so they cannot be reused). */
const sized = (rps: number, ms: number, margin: number) => Math.min(maxRequestsPerRound, Math.ceil((rps * ms * margin) / 1000) + concurrency)

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

async function main() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const key = await importSigningKey({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' })
  const prepare = async (count: number): Promise<PreparedRequest[]> => {
    const out: PreparedRequest[] = []
    for (let i = 0; i < count; i++) {
      // A fresh bearer (single-use jti), Digest and Agid-JWT-Signature per request, and a fresh key.
      const headers = await signRequest(key, { clientId: 'bench-portal', audience }, body)
      out.push({ path, headers: { ...headers, 'idempotency-key': randomUUID() }, body })
    }
    return out
  }

  console.log(`effective parallelism before: ${describeParallelism(await effectiveParallelism())}`)

  const env = {
    BENCH_PUBLIC_JWK: JSON.stringify({ ...publicJwk, kid, alg: 'ES256' }),
    BENCH_AUDIENCE: audience,
    SNODO_REDIS_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    REDIS_URL: redisUrl,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  }
  const redis = new Redis(redisUrl, { lazyConnect: true })
  await redis.connect()
  const servers = await Promise.all([startServer('baseline', env), startServer('same-crypto', env), startServer('snodo', env)])
  const results: Record<Name, Round[]> = { baseline: [], 'same-crypto': [], snodo: [] }
  const perRound: Record<Name, number> = { baseline: 0, 'same-crypto': 0, snodo: 0 }
  try {
    for (const server of servers) {
      // One checked request, so a refusal is not benchmarked as if it were the real path.
      const [probe] = await prepare(1)
      const res = await request(`${server.origin}${path}`, { method: 'POST', headers: probe?.headers, body, headersTimeout: 10_000 })
      const text = await res.body.text()
      if (res.statusCode !== 200) throw new Error(`${server.name} answered ${res.statusCode} to a well-signed request: ${text}`)
      if (server.name !== 'baseline' && !res.headers['agid-jwt-signature']) throw new Error(`${server.name} answered without Agid-JWT-Signature`)
      // Warm-up (JIT, keep-alive connections, Redis) in two passes: the first runs on a cold JIT, at a
      // rate often a third of the steady one; the second, hot, gives the rate that sizes the rounds.
      const cold = await runLoad(server.origin, await prepare(Math.min(maxRequestsPerRound, 20_000)), { concurrency, durationMs: warmUpMs })
      const warm = await runLoad(server.origin, await prepare(sized(cold.rps, warmUpMs, 3)), { concurrency, durationMs: warmUpMs })
      perRound[server.name] = sized(Math.max(cold.rps, warm.rps), durationMs, 1.5)
      console.log(
        `warm-up ${server.name.padEnd(11)} ${cold.rps.toFixed(0).padStart(6)} then ${warm.rps.toFixed(0).padStart(6)} req/s → ${perRound[server.name]} signed requests per round`,
      )
    }

    for (let round = 1; round <= rounds; round++) {
      for (const server of round % 2 ? servers : [...servers].reverse()) {
        const requests = await prepare(perRound[server.name]) // signed before the timed window: each jti is used once
        const cpuBefore = { server: processCpuSeconds(server.child.pid), redis: await redisCpuSeconds(redis), loader: process.cpuUsage() }
        const result = await runLoad(server.origin, requests, { concurrency, durationMs })
        const loader = process.cpuUsage(cpuBefore.loader)
        const per = (seconds: number) => (seconds * 1e6) / Math.max(1, result.requests)
        const r: Round = {
          ...result,
          serverCpuUsPerRequest: per(processCpuSeconds(server.child.pid) - cpuBefore.server),
          redisCpuUsPerRequest: per((await redisCpuSeconds(redis)) - cpuBefore.redis),
          loaderCpuUsPerRequest: per((loader.user + loader.system) / 1e6),
        }
        results[server.name].push(r)
        // A round that runs out of requests ends with its connections draining one by one, which
        // lowers its req/s: size the next rounds from the best rate seen so far too.
        perRound[server.name] = Math.max(perRound[server.name], sized(r.rps, durationMs, 1.5))
        const failures =
          Object.entries(r.failures)
            .map(([status, n]) => `${n}× ${status}`)
            .join(', ') || 'none'
        console.log(
          `round ${round} ${server.name.padEnd(11)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms` +
            `  CPU/req server ${r.serverCpuUsPerRequest.toFixed(0)} µs, redis ${r.redisCpuUsPerRequest.toFixed(0)} µs, load ${r.loaderCpuUsPerRequest.toFixed(0)} µs` +
            `  (${r.requests} requests in ${r.seconds.toFixed(1)} s${r.exhausted ? ', ran out of signed requests' : ''}; failures: ${failures})`,
        )
      }
    }
  } finally {
    await Promise.all(servers.map(stopServer))
    redis.disconnect()
  }

  const summary = (list: Round[]) => ({
    rps: median(list.map((r) => r.rps)),
    p50: median(list.map((r) => r.p50Ms)),
    p99: median(list.map((r) => r.p99Ms)),
    server: median(list.map((r) => r.serverCpuUsPerRequest)),
    redis: median(list.map((r) => r.redisCpuUsPerRequest)),
  })
  const b = summary(results.baseline)
  const c = summary(results['same-crypto'])
  const s = summary(results.snodo)
  const rpsRatio = s.rps / b.rps
  const p99Ratio = s.p99 / b.p99
  const paired = (against: Name, f: (r: Round) => number) => results.snodo.map((r, i) => f(r) / f(results[against][i] as Round))
  const row = (label: string, cells: string[], verdict = '') =>
    console.log(`${label.padEnd(20)}${cells.map((cell, i) => cell.padStart(i < 3 ? 12 : 16)).join('')}   ${verdict}`)
  const failed = Object.values(results).some((list) => list.some((r) => Object.keys(r.failures).length > 0))
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`
  const times = (x: number) => `${x.toFixed(2)}×`

  console.log(`\nmedians of ${rounds} alternated rounds of ${durationMs / 1000} s, signed 1 KB POST ${path}, concurrency ${concurrency}`)
  console.log(`baseline: jose verify + zod parse (the target's); same-crypto: the baseline plus Snodo's two other ECDSA operations`)
  row('', ['baseline', 'same-crypto', 'snodo', 'snodo/base', 'snodo/same-cr.'], 'target (snodo/base)')
  row('req/s', [b.rps.toFixed(0), c.rps.toFixed(0), s.rps.toFixed(0), pct(rpsRatio), pct(s.rps / c.rps)], `≥ 60 %  ${rpsRatio >= 0.6 ? 'met' : 'NOT met'}`)
  row('p50 ms', [b.p50.toFixed(2), c.p50.toFixed(2), s.p50.toFixed(2), times(s.p50 / b.p50), times(s.p50 / c.p50)])
  row('p99 ms', [b.p99.toFixed(2), c.p99.toFixed(2), s.p99.toFixed(2), times(p99Ratio), times(s.p99 / c.p99)], `≤ 2×    ${p99Ratio <= 2 ? 'met' : 'NOT met'}`)
  row('server CPU µs/req', [b.server.toFixed(0), c.server.toFixed(0), s.server.toFixed(0), times(s.server / b.server), times(s.server / c.server)])
  row('redis CPU µs/req', [b.redis.toFixed(0), c.redis.toFixed(0), s.redis.toFixed(0)])
  for (const against of ['baseline', 'same-crypto'] as const) {
    console.log(
      `paired per-round ratios vs ${against}: req/s ${paired(against, (r) => r.rps)
        .map(pct)
        .join(', ')}; p99 ${paired(against, (r) => r.p99Ms)
        .map(times)
        .join(', ')}`,
    )
  }
  if (failed) console.log('WARNING: some requests did not answer 200 (see the rounds above): the figures are not those of the accept path')

  console.log(`effective parallelism after: ${describeParallelism(await effectiveParallelism())}`)
}

await main()
