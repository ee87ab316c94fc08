// Accepting a practice leaves nothing behind when it fails (no index entry, no copy of its inline bytes,
// no timeline entry, no delivery from its intent), and accepting the same id again makes nothing twice.
// JSON nested thousands deep is refused at the door (400) before any of it is parsed.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackofficeTestApp, startProtocollo } from '../../test/support/backoffice-app.ts'
import { expectProblem } from '../../test/support/contract.ts'
import { signedInit } from '../../test/support/signed.ts'
import type { TestApp } from '../../test/support/test-app.ts'
import type { RunningSimulator } from '../adapters/simulator/harness.ts'
import type { TenantConfig } from '../config/schema.ts'
import { startSweeper } from '../queues/sweeper.ts'
import { digestOfSha256 } from '../trust/modi.ts'
import { acceptPractice, type PracticeRequest } from './accept-practice.ts'

const citizen = 'IOUSER00A00Y007X'
let t: TestApp
let running: RunningSimulator
beforeAll(async () => {
  const started = await startProtocollo()
  running = started.running
  t = await createBackofficeTestApp({ ...started.settings, services: [{ serviceCode: 'SUAP-01', name: 'SUAP', routing: { mode: 'pull' } }] })
})
afterAll(async () => {
  await t.close()
  await running.close()
})

const pdf = Buffer.from('%PDF-1.4 domanda')
const aPractice = (over: Record<string, unknown> = {}) =>
  ({
    serviceCode: 'SUAP-01',
    applicant: { fiscalCode: citizen, givenName: 'Maria', familyName: 'Bianchi' },
    subject: 'Richiesta di accesso agli atti',
    data: { pratica: 'accesso atti' },
    attachments: [{ name: 'domanda.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
    channel: 'online',
    submittedAt: '2026-03-01T10:00:00Z',
    ...over,
  }) as unknown as PracticeRequest
const tenant = () => t.deps.tenants.get('comune-a') as TenantConfig
const deep = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as Record<string, unknown>
const sweep = () =>
  startSweeper({ store: t.deps.deliveries, engine: t.deps.engine, config: t.deps.config.delivery, onError: (e) => expect.fail(String(e)), graceMs: 0 }).stop()
/** What a practice accept can write, whatever its id. */
const traces = async () => ({
  index: await t.deps.redis.zrange(`${t.prefix}:prat-idx:comune-a`, '0', '-1'),
  inlineBytes: await t.deps.redis.keys(`${t.prefix}:prat-doc:*`),
  timeline: await t.deps.timeline.page('comune-a', citizen, undefined, 100),
  intents: await t.deps.deliveries.staleIntents(0, 100),
})

describe('a record write that fails leaves nothing behind', () => {
  it('a body nested 5,000 deep reaching the store (JSON.stringify overflows): no index entry, no bytes, no timeline entry, no delivery', async () => {
    // An uploaded document, shared by content: the failed accept must not take it away.
    const shared = Buffer.from('%PDF-1.4 allegato condiviso')
    const sha256 = createHash('sha256').update(shared).digest('hex')
    await t.deps.documents.put('comune-a', Readable.from([shared]), {
      name: 'allegato.pdf',
      contentType: 'application/pdf',
      uploadedBy: 'portal',
      expectedDigest: digestOfSha256(sha256),
      maxBytes: 1_000,
    })
    const request = aPractice({ data: deep(5_000), attachments: [...aPractice().attachments, { sha256 }] })
    await expect(acceptPractice(t.deps, tenant(), request)).rejects.toThrow(RangeError)
    expect(await traces()).toMatchObject({ index: [], inlineBytes: [], timeline: [] })
    // The intent is left to the sweeper, which forgets it: no record names its delivery.
    await sweep()
    expect((await traces()).intents).toEqual([])
    expect(await t.deps.redis.keys(`${t.prefix}:dlv:dlv_*`)).toEqual([])
    expect((await t.deps.documents.read('comune-a', sha256)).equals(shared)).toBe(true)
    expect(await t.deps.documents.meta('comune-a', sha256)).toMatchObject({ sha256 })
  })
})

describe('the same id accepted twice (a retry after a crash)', () => {
  it('one practice, one index entry, one timeline entry, one registration delivery', async () => {
    const id = 'prat_0123456789abcdef0123456789abcdef'
    const first = await acceptPractice(t.deps, tenant(), aPractice(), id)
    expect(await acceptPractice(t.deps, tenant(), aPractice(), id)).toEqual(first)
    const practice = await t.deps.practices.get(id)
    // What the accept answers is what it stored (its feed cursor included): the record as a read finds it.
    expect(first).toEqual(practice)
    expect(practice?.history.map((h) => h.status)).toEqual(['submitted'])
    const found = await traces()
    expect(found.index).toEqual([id])
    expect(found.timeline.filter((i) => i.id === id)).toHaveLength(1)
    expect(await t.deps.deliveries.get(practice?.data.deliveryId as string)).toMatchObject({ resourceId: id })
  })
})

describe('JSON nested too deep', () => {
  it('→ 400 validation_failed naming the depth, before parsing; nothing is written', async () => {
    const before = await traces()
    // A whole practice whose data nests 5,000 deep (written as text: JSON.stringify cannot), a bare array, 66 levels.
    const nested = (depth: number) => JSON.stringify({ ...aPractice(), data: '<data>' }).replace('"<data>"', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)
    for (const body of [nested(5_000), `${'['.repeat(5_000)}${']'.repeat(5_000)}`, nested(65)]) {
      const res = await t.app.request('/v1/tenants/comune-a/practices', await signedInit(t.clients.portal, { body }))
      const problem = await expectProblem(res, 400, 'validation_failed')
      expect(problem.detail).toBe('The body nests deeper than 64 levels')
      expect(problem.errors?.[0]?.path).toBe('(body)')
    }
    expect(await traces()).toEqual(before)
    // 64 levels are still taken, and brackets inside strings do not count.
    const res = await t.app.request(
      '/v1/tenants/comune-a/practices',
      await signedInit(t.clients.portal, { body: { ...aPractice(), data: { ...deep(63), note: '[[[[{{{{'.repeat(20) } } }),
    )
    expect(res.status).toBe(202)
  })
})
