// The alternated drain rounds of bench/messages and bench/practices (DESIGN §8): Snodo and its bare
// baseline take turns, each round logged, so the host's drift touches both; then the medians side by
// side with the CPU each process spent per item, and the paired per-round ratios.
import { median, n0, pct, row, verdict } from './delivery/common.ts'
import type { Drain } from './delivery/drain.ts'

type Side = 'snodo' | 'baseline'
type Unit = { one: string; rates: string; digits: number }

export async function alternatedDrains(o: {
  rounds: number
  /**
   * The warm-up (JIT, connections, scripts), not counted: `each` items through both sides; it sizes
   * the rounds to about `seconds` of Snodo, a multiple of `step` within [min, max].
   */
  warmUp: { each: number; seconds: number; step: number; min: number; max: number }
  /** Drains `count` items numbered from `from` through one side. */
  round(side: Side, count: number, from: number): Promise<Drain>
  unit: Unit
  /** What one item costs, for the summary's heading (e.g. "3 App IO calls per message"). */
  perItem: string
  target?: number
  log(line: string): void
}) {
  const { unit, log, warmUp } = o
  const rate = (x: number) => x.toFixed(unit.digits)
  const warm = { snodo: await o.round('snodo', warmUp.each, 0), baseline: await o.round('baseline', warmUp.each, warmUp.each) }
  const perRound = Math.min(warmUp.max, Math.max(warmUp.min, Math.round((warm.snodo.rate * warmUp.seconds) / warmUp.step) * warmUp.step))
  log(`  warm-up: snodo ${n0(warm.snodo.rate)}/s, baseline ${n0(warm.baseline.rate)}/s (${warmUp.each} each) → ${perRound} ${unit.one}s per round`)
  const results: Record<Side, Drain[]> = { snodo: [], baseline: [] }
  let from = 2 * warmUp.each
  for (let round = 1; round <= o.rounds; round++) {
    for (const side of round % 2 ? (['snodo', 'baseline'] as const) : (['baseline', 'snodo'] as const)) {
      const d = await o.round(side, perRound, from)
      from += perRound
      results[side].push(d)
      log(
        `  round ${round} ${side.padEnd(8)} ${rate(d.rate).padStart(6)} ${unit.rates} (${d.count} in ${d.seconds.toFixed(2)} s)  CPU/${unit.one} worker ${n0(d.workerUs)} µs, simulator ${n0(d.receiverUs)} µs, redis ${n0(d.redisUs)} µs`,
      )
    }
  }
  const sum = (list: Drain[]) => ({
    rate: median(list.map((d) => d.rate)),
    worker: median(list.map((d) => d.workerUs)),
    sim: median(list.map((d) => d.receiverUs)),
    redis: median(list.map((d) => d.redisUs)),
  })
  const b = sum(results.baseline)
  const s = sum(results.snodo)
  const ratio = s.rate / b.rate
  const w = [28, 10, 10, 12]
  const line = (label: string, x: number, y: number, note = '') => log(`  ${row([label, n0(x), n0(y), `${(y / x).toFixed(2)}×`], w)}${note}`)
  log(`  medians of ${o.rounds} alternated drains of ${perRound}, concurrency 50 each (${o.perItem})`)
  log(`  ${row(['', 'baseline', 'snodo', 'snodo/base'], w)}`)
  log(
    `  ${row([unit.rates, rate(b.rate), rate(s.rate), pct(ratio)], w)}${o.target === undefined ? '' : `   ${verdict(ratio >= o.target, `≥ ${pct(o.target)}`)}`}`,
  )
  line(`worker CPU µs/${unit.one}`, b.worker, s.worker)
  line(`simulator CPU µs/${unit.one}`, b.sim, s.sim)
  line(`redis CPU µs/${unit.one}`, b.redis, s.redis, "   (the whole server's: other runs on this Redis add to both)")
  const bTotal = b.worker + b.sim + b.redis
  const sTotal = s.worker + s.sim + s.redis
  log(
    `  ${row([`total CPU µs/${unit.one}`, n0(bTotal), n0(sTotal), `${(sTotal / bTotal).toFixed(2)}×`], w)}   (all three share 2 cores: base/snodo ${pct(bTotal / sTotal)} is the rate ratio to expect when CPU-bound)`,
  )
  const paired = results.snodo.map((r, i) => r.rate / (results.baseline[i] as Drain).rate)
  log(`  paired per-round ratios: ${paired.map(pct).join(', ')} (median ${pct(median(paired))})`)
  return { ratio, met: o.target === undefined || ratio >= o.target, cpuRatio: bTotal / sTotal, snodoRate: s.rate }
}
