// Repairs what a crash can leave half-written: a delivery recorded but whose job was never added
// (the pending marker outlived its grace period), a resource written but whose delivery was never
// recorded (its intent outlived the grace period), and trims index entries and events past retention.
import type { DeliveryConfig } from '../config/schema.ts'
import type { Delivery } from './delivery.ts'
import type { DeliveryStore } from './delivery-store.ts'
import type { DeliveryEngine } from './engine.ts'

/** Longer than any enqueue takes, so a healthy enqueue in progress is never repaired twice. */
const defaultGraceMs = 30_000

export function startSweeper(deps: {
  store: DeliveryStore
  engine: DeliveryEngine
  config: DeliveryConfig
  trimEvents?: () => Promise<void>
  onError(err: unknown): void
  graceMs?: number
}) {
  const graceMs = deps.graceMs ?? defaultGraceMs
  const sweep = async () => {
    for (;;) {
      const ids = await deps.store.pendingEnqueue(graceMs, 200)
      if (ids.length === 0) break
      const found = await deps.store.getMany(ids)
      // Only a queued delivery can lack its job; any other status shows the job ran.
      const queued = found.filter((d) => d?.status === 'queued') as Delivery[]
      const settled = ids.filter((_, i) => found[i]?.status !== 'queued')
      await Promise.all([deps.engine.ensureJobs(queued), deps.store.confirmEnqueued(settled)])
    }
    // Resources written whose delivery was never enqueued (a stop in between): enqueued now; intents
    // whose resource was never written are forgotten.
    for (;;) {
      const intents = await deps.store.staleIntents(graceMs, 200)
      if (intents.length === 0) break
      const written = intents.filter((i) => i.written).map((i) => i.delivery)
      // A delivery already recorded is left as it is by enqueue (its job is the pending marker's care).
      if (written.length > 0) await deps.engine.enqueue(written)
      await deps.store.dropIntents(intents.map((i) => i.delivery.id))
    }
    await deps.store.trim({ succeededSeconds: deps.config.succeededRetentionSeconds, deadSeconds: deps.config.deadRetentionSeconds })
    await deps.trimEvents?.()
  }
  let running: Promise<void> = Promise.resolve()
  const tick = () => {
    running = sweep().catch(deps.onError)
  }
  tick()
  const timer = setInterval(tick, deps.config.sweepIntervalMs)
  return {
    sweep,
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
