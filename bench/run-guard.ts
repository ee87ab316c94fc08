// What a multi-part benchmark run (bench/messages.ts, bench/payments.ts) needs around its parts: a
// watchdog, SIGINT/SIGTERM handling, and one clean-up that runs once however the run ends — children
// killed, abort hooks run, every Redis key under the run's prefix deleted (twice: commands in flight
// when the writers stopped), the temp directory removed. Same steps as bench/deliveries.ts.
import { rmSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { abortHooks, deleteKeys, killAllChildren, sleep } from './delivery/common.ts'

export function guardRun(o: { name: string; prefix: string; redis: Redis; home: string; hardLimitMs: number; log: (line: string) => void }) {
  const started = performance.now()
  let cleaned: Promise<void> | undefined
  const cleanup = (): Promise<void> => {
    cleaned ??= (async () => {
      killAllChildren()
      await Promise.race([Promise.allSettled([...abortHooks].map((hook) => hook())), sleep(3_000)])
      const sweep = () => deleteKeys(o.redis, `${o.prefix}-*`).catch((err) => (console.error(`clean-up of ${o.prefix}-* failed:`, err), 0))
      let deleted = await sweep()
      await sleep(200)
      deleted += await sweep()
      o.log(`clean-up: ${deleted} Redis keys under ${o.prefix}-* deleted`)
      rmSync(o.home, { recursive: true, force: true })
      o.redis.disconnect()
    })()
    return cleaned
  }
  const watchdog = setTimeout(() => {
    console.error(`${o.name}: still running after ${o.hardLimitMs / 1000} s, giving up`)
    void cleanup().finally(() => process.exit(2))
  }, o.hardLimitMs)
  watchdog.unref()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${o.name}: ${signal}, stopping and cleaning up`)
      void cleanup().finally(() => process.exit(130))
    })
  }
  return {
    elapsed: () => `${((performance.now() - started) / 1000).toFixed(0)} s`,
    /** Runs the parts, then always cleans up; a failure sets exit code 1. */
    async run(main: () => Promise<void>) {
      try {
        await main()
      } catch (error) {
        console.error(`${o.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
        process.exitCode = 1
      } finally {
        await cleanup()
        clearTimeout(watchdog)
        o.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`)
      }
    },
  }
}
