// Part 1: a signed POST that creates a resource and enqueues it. Snodo: POST …/webhook-endpoints/{id}/ping
// through auth (bearer), integrity (Digest + Agid-JWT-Signature on a 1 KB body), tenant access,
// idempotency (a fresh key each), the audit log, and publish (event in the stream + delivery record +
// BullMQ job) → 202. Baseline: one jose verify, one zod parse, one BullMQ add → 202 (the issue's);
// same-crypto: the baseline plus Snodo's two other ECDSA operations. No worker runs.
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { request } from 'undici'
import { signRequest } from '../../src/client/index.ts'
import type { SigningKey } from '../../src/trust/modi.ts'
import { processCpuSeconds, redisCpuSeconds } from '../cpu.ts'
import { type LoadResult, type PreparedRequest, runLoad } from '../load.ts'
import { type Child, median, n0, pct, row, startChild, stopChild, verdict } from './common.ts'
import { audience, clientId, tenant } from './snodo-config.ts'

const rounds = 3
const durationMs = 4_000
const warmUpMs = 1_500
const concurrency = 32
const maxRequestsPerRound = 30_000 // signing (~0.2 ms per request here) happens between rounds: bounds the run
const pingBody = JSON.stringify({ serviceCode: 'SUAP-01', subject: 'Richiesta di accesso agli atti', data: { note: 'x'.repeat(934) } })

type Server = Child<{ port: number; endpointId?: string }> & { origin: string; path: string }
type Round = LoadResult & { accepted: number; serverUs: number; redisUs: number }

/** runLoad counts anything but 200 as a failure: here 202 is the success, the rest are failures. */
function accepted(r: LoadResult): { ok: number; failures: Record<string, number> } {
  const { 202: ok = 0, ...failures } = r.failures
  return { ok, failures }
}

/** `snodo`: another accept operation on Snodo's side (its path, body and queue); the baseline stays the bare route, fed the same body. */
export async function acceptPath(ctx: {
  env: Record<string, string>
  key: SigningKey
  redis: Redis
  log: (line: string) => void
  snodo?: { path: string; body: string; queue: string }
}) {
  const { log, redis } = ctx
  const body = ctx.snodo?.body ?? pingBody
  const prepare = async (path: string, count: number): Promise<PreparedRequest[]> => {
    const out: PreparedRequest[] = []
    for (let i = 0; i < count; i++) {
      const headers = await signRequest(ctx.key, { clientId, audience }, body)
      out.push({ path, headers: { ...headers, 'idempotency-key': randomUUID() }, body })
    }
    return out
  }
  const start = async (name: string, script: string, env: Record<string, string> = {}): Promise<Server> => {
    const c = await startChild<{ port: number; endpointId?: string }>(name, script, { ...ctx.env, ...env })
    const path = name === 'snodo' && ctx.snodo ? ctx.snodo.path : `/v1/tenants/${tenant}/webhook-endpoints/${c.info.endpointId ?? 'we_bare'}/ping`
    return { ...c, origin: `http://127.0.0.1:${c.info.port}`, path }
  }
  const bare = 'bench/delivery/baseline-accept-server.ts'
  const servers = await Promise.all([
    start('baseline', bare),
    start('same-crypto', bare, { BENCH_SAME_CRYPTO: '1' }),
    start('snodo', 'bench/delivery/snodo-accept-server.ts'),
  ])
  const results: Record<string, Round[]> = { baseline: [], 'same-crypto': [], snodo: [] }
  const perRound: Record<string, number> = {}
  try {
    for (const server of servers) {
      const [probe] = await prepare(server.path, 1)
      const res = await request(`${server.origin}${server.path}`, { method: 'POST', headers: probe?.headers, body, headersTimeout: 10_000 })
      const text = await res.body.text()
      if (res.statusCode !== 202) throw new Error(`${server.name} answered ${res.statusCode} to a well-signed ping: ${text}`)
      if (server.name !== 'baseline' && !res.headers['agid-jwt-signature']) throw new Error(`${server.name} answered without Agid-JWT-Signature`)
      const warm = await runLoad(server.origin, await prepare(server.path, 8_000), { concurrency, durationMs: warmUpMs })
      perRound[server.name] = Math.min(maxRequestsPerRound, Math.max(2_000, Math.ceil((warm.rps * durationMs * 2) / 1000) + concurrency))
      log(`  warm-up ${server.name.padEnd(11)} ${n0(warm.rps).padStart(6)} req/s → ${perRound[server.name]} signed requests per round`)
    }
    for (let round = 1; round <= rounds; round++) {
      for (const server of round % 2 ? servers : [...servers].reverse()) {
        const requests = await prepare(server.path, perRound[server.name] as number)
        const before = { server: processCpuSeconds(server.child.pid), redis: await redisCpuSeconds(redis) }
        const r = await runLoad(server.origin, requests, { concurrency, durationMs })
        const { ok, failures } = accepted(r)
        const per = (s: number) => (s * 1e6) / Math.max(1, r.requests)
        const result: Round = {
          ...r,
          failures,
          accepted: ok,
          serverUs: per(processCpuSeconds(server.child.pid) - before.server),
          redisUs: per((await redisCpuSeconds(redis)) - before.redis),
        }
        results[server.name]?.push(result)
        const failed =
          Object.entries(failures)
            .map(([status, n]) => `${n}× ${status}`)
            .join(', ') || 'none'
        log(
          `  round ${round} ${server.name.padEnd(11)} ${n0(ok / r.seconds).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms` +
            `  CPU/req server ${n0(result.serverUs)} µs, redis ${n0(result.redisUs)} µs  (${ok} × 202 in ${r.seconds.toFixed(1)} s${r.exhausted ? ', ran out of signed requests' : ''}; failures: ${failed})`,
        )
      }
    }
    // Every 202 must have left a job behind (no worker ran): the enqueue really happened.
    const jobs = async (queue: string) => Number(await redis.llen(`${ctx.env.SNODO_REDIS_PREFIX}:${queue}:wait`))
    log(
      `  jobs left waiting: snodo queue "${ctx.snodo?.queue ?? 'webhooks'}" ${await jobs(ctx.snodo?.queue ?? 'webhooks')}, baseline queue "bare-accept" ${await jobs('bare-accept')} (every 202 of the probes, warm-ups and rounds)`,
    )
  } finally {
    await Promise.all(servers.map((s) => stopChild(s.child)))
  }

  const rate = (r: Round) => r.accepted / r.seconds
  const sum = (list: Round[]) => ({
    rps: median(list.map(rate)),
    p50: median(list.map((r) => r.p50Ms)),
    p99: median(list.map((r) => r.p99Ms)),
    cpu: median(list.map((r) => r.serverUs)),
    redis: median(list.map((r) => r.redisUs)),
  })
  const b = sum(results.baseline ?? [])
  const c = sum(results['same-crypto'] ?? [])
  const s = sum(results.snodo ?? [])
  const ratio = s.rps / b.rps
  const times = (x: number) => `${x.toFixed(2)}×`
  const w = [20, 10, 12, 10, 12, 16]
  log(`  medians of ${rounds} alternated rounds of ${durationMs / 1000} s, concurrency ${concurrency}, signed 1 KB body`)
  log(`  ${row(['', 'baseline', 'same-crypto', 'snodo', 'snodo/base', 'snodo/same-cr.'], w)}`)
  log(`  ${row(['req/s (202)', n0(b.rps), n0(c.rps), n0(s.rps), pct(ratio), pct(s.rps / c.rps)], w)}   ${verdict(ratio >= 0.5, '≥ 50 %')} (of the baseline)`)
  log(`  ${row(['p50 ms', b.p50.toFixed(2), c.p50.toFixed(2), s.p50.toFixed(2), times(s.p50 / b.p50), times(s.p50 / c.p50)], w)}`)
  log(`  ${row(['p99 ms', b.p99.toFixed(2), c.p99.toFixed(2), s.p99.toFixed(2), times(s.p99 / b.p99), times(s.p99 / c.p99)], w)}`)
  log(`  ${row(['server CPU µs/req', n0(b.cpu), n0(c.cpu), n0(s.cpu), times(s.cpu / b.cpu), times(s.cpu / c.cpu)], w)}`)
  log(`  ${row(['redis CPU µs/req', n0(b.redis), n0(c.redis), n0(s.redis), times(s.redis / b.redis), times(s.redis / c.redis)], w)}`)
  const paired = (against: string) => (results.snodo ?? []).map((r, i) => rate(r) / rate((results[against] ?? [])[i] as Round))
  log(
    `  paired per-round req/s ratios: vs baseline ${paired('baseline').map(pct).join(', ')} (median ${pct(median(paired('baseline')))}), vs same-crypto ${paired('same-crypto').map(pct).join(', ')}; server+redis CPU per request base/snodo: ${pct((b.cpu + b.redis) / (s.cpu + s.redis))}`,
  )
  const failures = Object.values(results).some((list) => list.some((r) => Object.keys(r.failures).length > 0))
  if (failures) log('  WARNING: some requests did not answer 202 (see the rounds): these are not the figures of the accept path')
  return { ratio, sameCryptoRatio: s.rps / c.rps, met: ratio >= 0.5 && !failures }
}
