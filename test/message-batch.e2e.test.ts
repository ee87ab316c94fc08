// A whole sandbox: 1,000 recipients, 5 % not on IO, and App IO down for 30 seconds right after the
// batch is accepted. The batch completes with exact counts, and the simulator's own log shows that
// no citizen got a message twice.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { appioTestCitizens } from '../src/adapters/appio/simulator/citizens.ts'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually } from './support/webhook-receiver.ts'

let snodo: SnodoProcess
let client: ReturnType<typeof createSnodoClient>
let simulator: string
beforeAll(async () => {
  snodo = await startSnodo()
  client = createSnodoClient(readClientFile(join(snodo.home, 'sandbox', 'demo-client.json')), { rejectUnverified: true })
  simulator = new URL(/Simulator:\s+appio\s+(\S+)/.exec(snodo.stdout())?.[1] as string).origin
})
afterAll(() => snodo.stop())

it('1,000 recipients through a 30 s App IO outage: exact counts, no duplicate submissions', { timeout: 240_000 }, async () => {
  const lines = Array.from({ length: 1000 }, (_, i) =>
    i % 20 === 0 ? `${appioTestCitizens.notOnIo},Assente ${i}` : `IOUSER00A00Y${String(i).padStart(3, '0')}X,Cittadino ${i}`,
  )
  const markdown = `Gentile {{name}}, le ricordiamo la scadenza del pagamento della TARI. ${'Trova tutti i dettagli nella sua area personale. '.repeat(2)}`
  const accepted = await client.post('/v1/tenants/comune-demo/message-batches', {
    template: { subject: 'Scadenza TARI per {{name}}', markdown },
    format: 'csv',
    recipients: ['fiscalCode,name', ...lines].join('\n'),
  })
  expect(accepted.status).toBe(202)
  const batch = accepted.body as { id: string; counts: { total: number; invalid: number } }
  expect(batch.counts).toMatchObject({ total: 1000, invalid: 0 })
  expect((await fetch(`${simulator}/__sim/outage`, { method: 'POST', body: JSON.stringify({ ms: 30_000 }) })).status).toBe(200)

  const path = `/v1/tenants/comune-demo/message-batches/${batch.id}`
  await eventually(async () => ((await client.get(path)).body as { status: string }).status === 'completed', 200_000)
  expect(((await client.get(path)).body as { counts: object }).counts).toEqual({
    total: 1000,
    invalid: 0,
    queued: 0,
    sent: 950,
    rejected: 50,
    failed: 0,
    cancelled: 0,
  })

  const { accepted: submitted } = (await (await fetch(`${simulator}/__sim/accepted`)).json()) as { accepted: { fiscalCode: string; subject: string }[] }
  const ours = submitted.filter((m) => m.subject.startsWith('Scadenza TARI'))
  expect(ours).toHaveLength(950)
  expect(new Set(ours.map((m) => m.fiscalCode)).size).toBe(950)
  expect(ours.some((m) => m.fiscalCode === appioTestCitizens.notOnIo)).toBe(false)

  // The outage was real for them: the first recipient's message went through failed attempts first.
  const [first] = ((await client.get(`${path}/recipients?limit=1&status=sent`)).body as { items: { messageId: string }[] }).items
  const message = (await client.get(`/v1/tenants/comune-demo/messages/${first?.messageId}`)).body as {
    delivery: { attempts: { outcome: string; upstreamStatus?: number }[] }
  }
  expect(message.delivery.attempts).toContainEqual(expect.objectContaining({ outcome: 'failed', upstreamStatus: 503 }))
})
