// What a multi-part benchmark run (bench/messages.ts, bench/payments.ts) needs around its parts: a
// watchdog, SIGINT/SIGTERM handling, and one clean-up that runs once however the run ends — children
// killed, abort hooks run, every Redis key under the run's prefix deleted (twice: commands in flight
// when the writers stopped), the temp directory removed. Same steps as bench/deliveries.ts.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
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

/**
 * What every benchmark program sets up first: Redis, a key prefix and a temp directory of the run's
 * own (`bench-<stem>-…`), and the guard that cleans them up however the run ends.
 */
export function startBenchRun(o: { name: string; stem: string; hardLimitMs: number }) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const runPrefix = `bench-${o.stem}-${randomUUID().slice(0, 8)}`
  const home = mkdtempSync(join(tmpdir(), `snodo-bench-${o.stem}-`))
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 })
  const log = (line: string) => console.log(line)
  const guard = guardRun({ name: o.name, prefix: runPrefix, redis, home, hardLimitMs: o.hardLimitMs, log })
  return { redisUrl, runPrefix, home, redis, log, guard }
}
