import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { createAuditLog, hashRecord } from './audit-log.ts'

const prefix = `test-audit-${randomUUID().slice(0, 8)}`
const url = readEnv().REDIS_URL
const connections = [new Redis(url), new Redis(url)]

afterAll(async () => {
  const keys = await connections[0]!.keys(`${prefix}:*`)
  if (keys.length > 0) await connections[0]!.del(...keys)
  await Promise.all(connections.map((c) => c.quit()))
})

it('keeps one unbroken hash chain when two instances append at once', async () => {
  const [a, b] = connections.map((c) => createAuditLog(c, prefix))
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).append({ who: `client-${i}`, tenant: 'comune-a', action: 'POST /v1/x', outcome: 'ok' })),
  )
  const records = (await a!.read()).map((r) => r.record)
  expect(records).toHaveLength(20)
  let prev = '0'.repeat(64)
  for (const { hash, ...unhashed } of records) {
    expect(unhashed.prev).toBe(prev)
    expect(hashRecord(unhashed)).toBe(hash)
    prev = hash
  }
  expect(new Set(records.map((r) => r.who)).size).toBe(20)
})
