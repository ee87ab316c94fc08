// npm run bench (fourth part), issue "pagoPA": payments against bare baselines measured in the same run.
//   1. paSendRT receipts per second on POST /pagopa/nodo: Snodo's whole app vs a bare `soap` library server
//   2. payment creation: a signed POST /v1/tenants/{t}/payments (~1 KB) vs jose verify + zod parse + BullMQ add
// Every part has a hard bound and the run a watchdog; the run's Redis keys (one prefix per run) are
// deleted at the end, on failure too. DESIGN §8: alternate rounds, ratios, parallelism probe before/after.
import { benchEnv } from './bench-env.ts'
import { acceptPath } from './delivery/accept.ts'
import { bounded, deleteKeys, n0, pct } from './delivery/common.ts'
import { tenant } from './delivery/snodo-config.ts'
import { describeParallelism, effectiveParallelism } from './parallelism.ts'
import { pagopaKey, pagopaPlatforms, receiptThroughput } from './payments/receipts.ts'
import { startBenchRun } from './run-guard.ts'

process.env.BENCH_PAGOPA_KEY = pagopaKey // Snodo's config resolves env:BENCH_PAGOPA_KEY in every process
const { redisUrl, runPrefix, home, redis, log, guard } = startBenchRun({ name: 'bench/payments', stem: 'pay', hardLimitMs: 200_000 })

/** A ~1 KB createPayment body: a natural-person debtor, one transfer, a full description and metadata. */
const paymentBody = JSON.stringify({
  debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi', email: 'mario.rossi@example.it' },
  amountCents: 15_050,
  description: 'TARI 2025 - tassa sui rifiuti, rata unica per l’abitazione di via Roma 1 e relative pertinenze (cantina, box auto)',
  dueDate: new Date(Date.now() + 60 * 86_400_000).toISOString(), // ahead: GPD (and so Snodo) refuses a position already due
  transfers: [{ iban: 'IT60X0542811101000000123456', amountCents: 15_050, remittance: 'TARI 2025 rata unica - avviso 2025/000123', category: '9/0101100IM/' }],
  metadata: {
    pratica: 'TARI-2025-000123',
    ufficio: 'Tributi',
    sportello: 'online',
    codiceUtenza: 'UT-0004567',
    note: 'x'.repeat(120),
    anno: '2025',
    rata: 'unica',
  },
})

await guard.run(async () => {
  log(`\n=== pagoPA payments benchmark (run prefix ${runPrefix})`)
  log(`effective parallelism before: ${describeParallelism(await effectiveParallelism())}`)
  const { key, env } = await benchEnv({ home, runPrefix, redisUrl })
  const payEnv = (part: string) => ({ ...env(part), BENCH_PLATFORMS: pagopaPlatforms })

  log(`\n--- 1. paSendRT receipts on POST /pagopa/nodo: Snodo's whole app vs soap.listen from paForNode.wsdl answering OK [${guard.elapsed()}]`)
  const receipts = await bounded('part 1', 70_000, () => receiptThroughput(payEnv('rt'), redis, log))
  log(`  cleaned: ${await deleteKeys(redis, `${runPrefix}-rt:*`)} keys deleted`)

  log(
    `\n--- 2. payment creation: signed POST /v1/tenants/${tenant}/payments → 202 (IUV, record, GPD delivery + job; no worker) vs jose + zod + BullMQ add [${guard.elapsed()}]`,
  )
  log(`  body ${paymentBody.length} bytes, the same on both sides (the baseline is bench/delivery's bare accept route)`)
  const snodo = { path: `/v1/tenants/${tenant}/payments`, body: paymentBody, queue: 'pagopa-positions' }
  const accept = await bounded('part 2', 120_000, () => acceptPath({ env: payEnv('accept'), key, redis, log, snodo }))
  log(`  cleaned: ${await deleteKeys(redis, `${runPrefix}-accept:*`)} keys deleted`)

  log(`\n--- summary [${guard.elapsed()}]`)
  log(
    `  1. paSendRT receipts/s        snodo/soap lib ${pct(receipts.ratio).padStart(5)}   (snodo ${n0(receipts.snodoRate)}/s; p99 ${receipts.p99Ratio.toFixed(2)}× the soap library's)`,
  )
  log(
    `  2. payment creation req/s     snodo/baseline ${pct(accept.ratio).padStart(5)}   target ≥ 50 % (as the delivery accept path): ${accept.met ? 'met' : 'NOT met'}; snodo/same-crypto ${pct(accept.sameCryptoRatio)}`,
  )
  log(`effective parallelism after: ${describeParallelism(await effectiveParallelism())}`)
})
