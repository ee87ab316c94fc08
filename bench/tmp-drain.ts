import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { benchEnv } from './bench-env.ts'
import { deliveryThroughput, startRig } from './delivery/throughput.ts'
import { guardRun } from './run-guard.ts'
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const runPrefix = `bench-tmp-${randomUUID().slice(0, 8)}`
const home = mkdtempSync(join(tmpdir(), 'snodo-bench-tmp-'))
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 })
const log = (line: string) => console.log(line)
const guard = guardRun({ name: 'tmp', prefix: runPrefix, redis, home, hardLimitMs: 235_000, log })
await guard.run(async () => {
  const { env } = await benchEnv({ home, runPrefix, redisUrl })
  const rig = await startRig(env('drain'))
  try { await deliveryThroughput(rig, redis, log) } finally { await rig.close() }
})
