// The simulated supplier in a long-running sandbox: `received` (form data, riepilogo) holds only the
// practices received last, while what cercaPratica answers is kept far longer, so a late retry still
// finds its practice and is never handed over twice; the sandbox office takes up each new one once.
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { SnodoClient } from '../../../client/index.ts'
import { startBackofficeSupplier, supplierTimings } from '../../../sandbox/backoffice-supplier.ts'
import { createSupplierClient, type SupplierClient } from '../client.ts'
import { aPracticeToPush } from '../port.suite.ts'
import { resolveSupplierProfile } from '../profiles/index.ts'
import { type SupplierService, startSupplierService } from './service.ts'

let supplier: SupplierService
let client: SupplierClient

beforeAll(async () => {
  supplier = await startSupplierService({ keepReceived: 2 })
  const resolved = resolveSupplierProfile({
    mode: 'soap',
    profile: 'pratica',
    endpoint: supplier.endpoint,
    auth: { type: 'none' },
    params: {},
    timeoutMs: 2_000,
  })
  if (!resolved.success) throw new Error(resolved.problems.join('\n'))
  client = createSupplierClient(resolved.profile)
})
afterAll(async () => {
  await client?.close()
  await supplier?.close()
})

it('keeps the last practices it received, and still finds an older one when asked', async () => {
  const practices = [aPracticeToPush(), aPracticeToPush(), aPracticeToPush()]
  const receipts = []
  for (const p of practices) receipts.push(await client.push(p))
  expect(supplier.received.map((p) => p.idPratica)).toEqual(practices.slice(1).map((p) => p.correlationKey))
  expect(supplier.receivedTotal()).toBe(3)
  // The first is no longer listed, but a re-send asks first and finds it.
  const [first] = practices
  expect(await client.push(first as (typeof practices)[number])).toEqual({ supplierPracticeId: receipts[0]?.supplierPracticeId, found: true })
  expect(supplier.timesReceived(first?.correlationKey as string)).toBe(1)
  expect(supplier.receivedTotal()).toBe(3)
  const listed = (await (await fetch(new URL('/__sim/received', supplier.endpoint))).json()) as { received: { idPratica: string }[] }
  expect(listed.received.map((p) => p.idPratica)).toEqual(practices.slice(1).map((p) => p.correlationKey))
})

it('the sandbox office takes up each practice the service received once, though the service keeps only the last ones', async () => {
  const service = { received: [] as SupplierService['received'], total: 0, receivedTotal: () => service.total }
  const receive = (idPratica: string) => {
    service.total++
    service.received.push({ idPratica } as SupplierService['received'][number])
    if (service.received.length > 2) service.received.shift()
  }
  // Each practice the office takes up, it reads (and the answer is a failure: it carries on).
  const read: string[] = []
  const client = {
    request: async (method: string, url: string) => {
      const id = /\/practices\/(prat_[^/?]+)$/.exec(url)?.[1]
      if (method === 'GET' && id) read.push(id)
      return { status: method === 'GET' && !id ? 200 : 503, body: { items: [] } }
    },
  } as unknown as SnodoClient
  const office = startBackofficeSupplier({
    client,
    tenantId: 'comune-demo',
    logger: pino({ level: 'silent' }),
    timings: { ...supplierTimings, pollMs: 10, stepMs: 0, waitingMs: 60_000 },
    soap: { service, serviceCodes: ['SUAP-02'] },
  })
  try {
    for (const id of ['prat_1', 'prat_2', 'prat_3']) receive(id)
    await new Promise((resolve) => setTimeout(resolve, 60))
    receive('prat_4')
    await new Promise((resolve) => setTimeout(resolve, 60))
  } finally {
    await office.stop()
  }
  // prat_1 had left the list before the office looked: the 2 listed then, then the one that came after.
  expect([...new Set(read)]).toEqual(['prat_2', 'prat_3', 'prat_4'])
})
