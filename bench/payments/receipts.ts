// Part 1: paSendRT receipts handled per second. Snodo: POST /pagopa/nodo through the whole app (guard +
// parse of the envelope, caller ids, notice, IUV and amount checks, the receipt stored with the move to
// paid, the payment.paid event in the feed and fanned out to the tenant's one webhook endpoint — a
// delivery record and a job, no worker), each receipt for its own published payment, made in the
// payment store before the round. Baseline: soap.listen from the real WSDL answering OK. Alternated.
import { Redis } from 'ioredis'
import { parsePaSendRtAnswer, paSendRtEnvelope } from '../../src/adapters/pagopa/simulator/nodo/envelope.ts'
import { type NoticePosition, receiptOf, simulatedPsp } from '../../src/adapters/pagopa/simulator/nodo/receipt.ts'
import { iuvFor } from '../../src/payments/notice-number.ts'
import { createPaymentStore, type PaymentData } from '../../src/payments/payment.ts'
import { processCpuSeconds, redisCpuSeconds } from '../cpu.ts'
import { abortHooks, inParallel, median, n0, pct, row, startChild, stopChild } from '../delivery/common.ts'
import { tenant } from '../delivery/snodo-config.ts'
import { type LoadResult, type PreparedRequest, runLoad } from '../load.ts'

export const station = { idPA: '00000000000', idBrokerPA: '15376371009', idStation: '15376371009_01' } // idPA: the bench tenant's fiscal code
export const pagopaKey = 'bench-pagopa-key'
const iban = 'IT60X0542811101000000123456'
const category = '9/0101100IM/'
/** BENCH_PLATFORMS for the bench tenant on pagoPA (GPD is never called: no worker runs in these parts). */
export const pagopaPlatforms = JSON.stringify({
  pagopa: {
    baseUrl: 'http://127.0.0.1:9/gpd',
    subscriptionKey: 'env:BENCH_PAGOPA_KEY',
    idBrokerPA: station.idBrokerPA,
    idStation: station.idStation,
    segregationCode: '01',
    defaultTransfer: { iban, category },
  },
})

const rounds = 3
const durationMs = 4_000
const warmUpMs = 1_500
const concurrency = 32
const maxPerRound = 20_000
const path = '/pagopa/nodo'
const headers = { 'content-type': 'text/xml; charset=utf-8', soapaction: '"paSendRT"' }

function aPayment(seq: number): PaymentData {
  const { iuv, noticeNumber } = iuvFor('01', seq)
  const amountCents = 15_000 + (seq % 1000)
  const debtor = { type: 'F' as const, fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi', email: 'mario.rossi@example.it' }
  const transfers = [{ idTransfer: '1' as const, amountCents, iban, remittance: 'TARI 2025 - rata unica', category }]
  return {
    tenantId: tenant,
    iuv,
    noticeNumber,
    iupd: `${station.idPA}-${iuv}`,
    debtor,
    amountCents,
    description: 'TARI 2025 - rata unica',
    transfers,
    deliveryId: `dlv_bench_${seq}`,
  }
}

/** The receipt the nodo would send once the citizen paid this payment (paSendRT V1, ctReceipt). */
function receiptCall(p: PaymentData, seq: number): PreparedRequest {
  const t = p.transfers[0] as PaymentData['transfers'][number]
  const position: NoticePosition = {
    organizationFiscalCode: station.idPA,
    companyName: 'Comune Bench',
    iupd: p.iupd,
    status: 'VALID',
    debtor: p.debtor,
    option: {
      iuv: p.iuv,
      noticeNumber: p.noticeNumber,
      amountCents: p.amountCents,
      description: p.description,
      partial: false,
      paid: false,
      transfers: [{ idTransfer: '1', amountCents: t.amountCents, organizationFiscalCode: station.idPA, iban, remittanceInformation: t.remittance, category }],
    },
  }
  return { path, headers, body: paSendRtEnvelope('V1', station, receiptOf(position, { receiptId: `rcpt-bench-${seq}`, at: new Date(), psp: simulatedPsp })) }
}

type Round = LoadResult & { serverUs: number; redisUs: number; recorded?: number }

export async function receiptThroughput(env: Record<string, string>, redis: Redis, log: (line: string) => void) {
  const writer = new Redis(env.REDIS_URL as string, { enableAutoPipelining: true, maxRetriesPerRequest: 2 })
  const closeWriter = async () => void writer.disconnect()
  abortHooks.add(closeWriter)
  const payments = createPaymentStore(writer, env.SNODO_REDIS_PREFIX as string, () => new Date())
  const stream = `${env.SNODO_REDIS_PREFIX}:events:${tenant}`
  let seq = 0
  /** `count` published payments in the store (not timed), and one receipt envelope for each. */
  const prepare = async (count: number) => {
    const batch = Array.from({ length: count }, () => ++seq)
    await inParallel(count, 64, async (i) => {
      const n = batch[i] as number
      await payments.create(`pay_bench${n}`, aPayment(n))
      await payments.transition(`pay_bench${n}`, 'published', { detail: 'bench' })
    })
    return batch.map((n) => receiptCall(aPayment(n), n))
  }
  const baselineCalls = Array.from({ length: maxPerRound }, (_, i) => receiptCall(aPayment(10 ** 9 + i), 10 ** 9 + i)) // it stores nothing: the same set every round
  const servers = await Promise.all([
    startChild<{ port: number }>('soap baseline', 'bench/payments/soap-baseline-server.ts', env),
    startChild<{ port: number }>('snodo', 'bench/delivery/snodo-accept-server.ts', env),
  ])
  const origin = (s: (typeof servers)[number]) => `http://127.0.0.1:${s.info.port}`
  const results: Record<string, Round[]> = { 'soap baseline': [], snodo: [] }
  const perRound: Record<string, number> = {}
  const sized = (rps: number) => Math.min(maxPerRound, Math.max(2_000, Math.ceil((rps * durationMs * 1.5) / 1000) + concurrency))
  try {
    for (const server of servers) {
      const calls = server.name === 'snodo' ? await prepare(3_000) : baselineCalls
      const probe = calls[0] as PreparedRequest
      const res = await fetch(`${origin(server)}${path}`, { method: 'POST', headers: probe.headers, body: probe.body })
      const answer = await parsePaSendRtAnswer('V1', await res.text())
      if (res.status !== 200 || answer.kind !== 'response' || answer.outcome !== 'OK')
        throw new Error(`${server.name} did not answer OK to a receipt: ${res.status} ${JSON.stringify(answer)}`)
      const warm = await runLoad(origin(server), calls.slice(1), { concurrency, durationMs: warmUpMs })
      perRound[server.name] = server.name === 'snodo' ? sized(warm.rps) : maxPerRound
      log(
        `  warm-up ${server.name.padEnd(13)} ${n0(warm.rps).padStart(6)} receipts/s → ${perRound[server.name]} receipts per round${server.name === 'snodo' ? ' (each a published payment made before the round)' : ' (the same envelopes every round)'}`,
      )
    }
    for (let round = 1; round <= rounds; round++) {
      for (const server of round % 2 ? servers : [...servers].reverse()) {
        const snodo = server.name === 'snodo'
        const calls = snodo ? await prepare(perRound.snodo as number) : baselineCalls
        const before = { server: processCpuSeconds(server.child.pid), redis: await redisCpuSeconds(redis), events: await redis.xlen(stream) }
        const r = await runLoad(origin(server), calls, { concurrency, durationMs })
        const per = (s: number) => (s * 1e6) / Math.max(1, r.requests)
        const result: Round = {
          ...r,
          serverUs: per(processCpuSeconds(server.child.pid) - before.server),
          redisUs: per((await redisCpuSeconds(redis)) - before.redis),
        }
        if (snodo) {
          result.recorded = (await redis.xlen(stream)) - before.events
          perRound.snodo = Math.max(perRound.snodo as number, sized(r.rps)) // a cold warm-up under-sizes the rounds
        }
        results[server.name]?.push(result)
        const failed =
          Object.entries(r.failures)
            .map(([status, n]) => `${n}× ${status}`)
            .join(', ') || 'none'
        log(
          `  round ${round} ${server.name.padEnd(13)} ${n0(r.rps).padStart(6)} receipts/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  CPU/receipt server ${n0(result.serverUs)} µs, redis ${n0(result.redisUs)} µs` +
            `  (${r.requests} in ${r.seconds.toFixed(1)} s${r.exhausted ? ', ran out of receipts' : ''}; failures: ${failed}${snodo ? `; payment.paid events ${result.recorded}` : ''})`,
        )
        if (snodo && result.recorded !== r.requests)
          throw new Error(`Snodo answered ${r.requests} receipts but raised ${result.recorded} payment.paid events: not every receipt was recorded`)
      }
    }
  } finally {
    await Promise.all(servers.map((s) => stopChild(s.child)))
    abortHooks.delete(closeWriter)
    writer.disconnect()
  }
  const sum = (list: Round[]) => ({
    rps: median(list.map((r) => r.rps)),
    p50: median(list.map((r) => r.p50Ms)),
    p99: median(list.map((r) => r.p99Ms)),
    cpu: median(list.map((r) => r.serverUs)),
    redis: median(list.map((r) => r.redisUs)),
  })
  const b = sum(results['soap baseline'] ?? [])
  const s = sum(results.snodo ?? [])
  const w = [22, 10, 10, 12]
  log(
    `  medians of ${rounds} alternated rounds of ${durationMs / 1000} s, concurrency ${concurrency}, paSendRT V1 (${n0((baselineCalls[0]?.body.length ?? 0) / 1024)} KiB envelope)`,
  )
  log(`  ${row(['', 'soap lib', 'snodo', 'snodo/base'], w)}`)
  log(`  ${row(['receipts/s', n0(b.rps), n0(s.rps), pct(s.rps / b.rps)], w)}`)
  log(`  ${row(['p50 ms', b.p50.toFixed(2), s.p50.toFixed(2), `${(s.p50 / b.p50).toFixed(2)}×`], w)}`)
  log(`  ${row(['p99 ms', b.p99.toFixed(2), s.p99.toFixed(2), `${(s.p99 / b.p99).toFixed(2)}×`], w)}`)
  log(`  ${row(['server CPU µs/receipt', n0(b.cpu), n0(s.cpu), `${(s.cpu / b.cpu).toFixed(2)}×`], w)}`)
  log(
    `  ${row(['redis CPU µs/receipt', n0(b.redis), n0(s.redis), ''], w)}   (the whole server's: the soap library uses none, so its figure is other clients' load)`,
  )
  const paired = (results.snodo ?? []).map((r, i) => r.rps / ((results['soap baseline'] ?? [])[i] as Round).rps)
  log(`  paired per-round ratios: ${paired.map(pct).join(', ')} (median ${pct(median(paired))})`)
  return { ratio: s.rps / b.rps, snodoRate: s.rps, p99Ratio: s.p99 / b.p99 }
}
