import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, expect, it } from 'vitest'
import { readEnv } from '../config.ts'
import { createStatusStore, forwardOnly } from './status-store.ts'

const redis = new Redis(readEnv().REDIS_URL)
const prefix = `test-status-${randomUUID().slice(0, 8)}`
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

type S = 'queued' | 'submitted' | 'sent' | 'failed'
const store = createStatusStore<{ n: number }, S>(
  redis,
  prefix,
  forwardOnly({ queued: 0, submitted: 1, sent: 2, failed: 2 }),
  () => new Date('2026-11-23T10:00:00Z'),
)

it('keeps data, fields and a history, and never moves a status backwards or sideways between finals', async () => {
  const created = await store.create('r1', { n: 1 }, 'queued', 'accepted')
  expect(created).toEqual({ created: true, record: await store.get('r1') })
  // One there already is answered as it is, not as the refused create would have written it.
  expect(await store.create('r1', { n: 2 }, 'queued')).toEqual({ created: false, record: created.record })
  expect(await store.transition('r1', 'submitted', { fields: { upstreamId: 'X1' } })).toMatchObject({ ok: true, from: 'queued', position: 1 })
  expect(await store.transition('r1', 'queued', { entryFields: { note: 'never' } })).toMatchObject({ ok: false, from: 'submitted' })
  const moved = await store.transition('r1', 'sent', { detail: 'PROCESSED', entryFields: { note: 'about the third entry' } })
  expect(moved).toMatchObject({ ok: true, from: 'submitted', position: 2 })
  // The move answers the record as it left it: what a read finds right after.
  expect(moved.record).toEqual(await store.get('r1'))
  const refused = await store.transition('r1', 'failed')
  expect(refused).toMatchObject({ ok: false, from: 'sent' })
  expect(refused.record).toEqual(moved.record)
  expect(await store.transition('missing', 'sent')).toEqual({ ok: false, from: undefined })
  const r = await store.get('r1')
  expect(r).toMatchObject({ data: { n: 1 }, status: 'sent', fields: { upstreamId: 'X1', 'note:2': 'about the third entry' } })
  expect(Object.keys(r?.fields ?? {}).sort()).toEqual(['note:2', 'upstreamId'])
  expect(r?.history.map((h) => [h.status, h.detail])).toEqual([
    ['queued', 'accepted'],
    ['submitted', undefined],
    ['sent', 'PROCESSED'],
  ])
})

it('reopens only from the status named, recording why', async () => {
  await store.create('r2', { n: 2 }, 'queued')
  await store.transition('r2', 'failed', { detail: 'delivery dead' })
  expect(await store.reopen('r2', 'sent', 'queued', 'replayed')).toBe(false)
  expect(await store.reopen('r2', 'failed', 'queued', 'replayed by ops')).toBe(true)
  expect((await store.get('r2'))?.history.map((h) => h.status)).toEqual(['queued', 'failed', 'queued'])
})

it('keeps the first value of a field, whoever else tries to set it, and answers it', async () => {
  await store.create('r3', { n: 3 }, 'queued')
  const tries = await Promise.all(['a', 'b', 'c'].map((v) => store.keepField('r3', 'first', v)))
  expect(new Set(tries).size).toBe(1)
  expect((await store.get('r3'))?.fields.first).toBe(tries[0])
  expect(await store.keepField('r3', 'first', 'd')).toBe(tries[0])
})
