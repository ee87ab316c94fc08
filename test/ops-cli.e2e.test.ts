// The ops commands against a running sandbox: 500 webhook deliveries die, the operator finds them,
// re-enables the endpoint and replays them in bulk; each replay is audited; a tampered audit record
// makes `snodo audit verify` fail naming it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { readEnv } from '../src/config.ts'
import { runCli } from './support/cli.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts'

const count = Number(process.env.OPS_COUNT ?? 500)
let snodo: SnodoProcess
let receiver: WebhookReceiver
let snodoClient: ReturnType<typeof createSnodoClient>
beforeAll(async () => {
  snodo = await startSnodo()
  receiver = await startWebhookReceiver()
  snodoClient = createSnodoClient(readClientFile(join(snodo.home, 'sandbox', 'demo-client.json')), { rejectUnverified: true })
})
afterAll(async () => {
  await receiver.close()
  await snodo.stop()
})

const cli = (args: string[]) => runCli(args, { env: { SNODO_HOME: snodo.home } })
const endpoints = '/v1/tenants/comune-demo/webhook-endpoints'

it('replays 500 dead deliveries in bulk, each audited, and audit verify names a tampered record', { timeout: 120_000 }, async () => {
  const created = await snodoClient.post(endpoints, { url: receiver.url, events: ['*'], description: 'portal ERP' })
  expect(created.status).toBe(201)
  const endpoint = created.body as { id: string; secret: string }
  receiver.secrets.push(endpoint.secret)

  // The receiver is gone (410): the first answer disables the endpoint, every delivery ends dead.
  receiver.answer = () => 410
  for (let i = 0; i < count; i++) expect((await snodoClient.post(`${endpoints}/${endpoint.id}/ping`, undefined)).status).toBe(202)
  const listDead = () => cli(['deliveries', 'list', '--status', 'dead', '--platform', 'webhooks', '--since', '1h', '--limit', '1000'])
  await eventually(async () => (await listDead()).stdout.trim().split('\n').length === count, 60_000)
  expect((await snodoClient.get(`${endpoints}/${endpoint.id}`)).body).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') })

  receiver.answer = () => 200
  expect((await snodoClient.request('PATCH', `${endpoints}/${endpoint.id}`, { body: { enabled: true } })).status).toBe(200)
  const dry = await cli(['deliveries', 'replay', '--status', 'dead', '--platform', 'webhooks', '--since', '1h', '--reason', 'endpoint back', '--dry-run'])
  expect(dry.stdout).toContain(`${count} dead deliveries match`)
  const replay = await cli(['deliveries', 'replay', '--status', 'dead', '--platform', 'webhooks', '--since', '1h', '--reason', 'endpoint back'])
  expect(replay.code, replay.stderr).toBe(0)
  expect(replay.stdout).toMatch(new RegExp(`${count} replayed, 0 skipped .* of ${count}`))

  // Each ping delivered once, and the ops endpoint (it takes every event) told of each recovery.
  const delivered = (type: string) => receiver.received.filter((r) => r.status === 200 && JSON.parse(r.body).type === type)
  await eventually(() => delivered('webhook.ping').length === count && delivered('delivery.recovered').length === count, 60_000)
  expect(new Set(delivered('webhook.ping').map((r) => r.id)).size).toBe(count)
  expect(receiver.received.every((r) => r.verified)).toBe(true)
  expect((await listDead()).stdout.trim()).toBe('')

  const intact = await cli(['audit', 'verify'])
  expect(intact.code, intact.stderr).toBe(0)
  expect(intact.stdout).toContain('audit chain intact')
  const records = await auditRecords()
  expect(records.filter((r) => r.action === 'delivery.replay' && r.detail.includes('endpoint back'))).toHaveLength(count)

  const victim = records[Math.floor(records.length / 2)] as { id: string }
  await tamper(victim.id)
  const broken = await cli(['audit', 'verify'])
  expect(broken.code).toBe(1)
  expect(broken.stderr).toContain(`record ${victim.id}`)
  expect(broken.stderr).toContain('was altered')
})

async function auditRecords() {
  const all: { id: string; action: string; detail: string }[] = []
  let after = ''
  for (;;) {
    const page = (await snodoClient.get(`/v1/audit?limit=500${after ? `&after=${after}` : ''}`)).body as { items: typeof all; nextCursor?: string }
    all.push(...page.items)
    if (!page.nextCursor) return all
    after = page.nextCursor
  }
}

/** Rewrites the audit stream with one record's `who` changed, every id kept: an insider's edit. */
async function tamper(id: string) {
  const redis = new Redis(readEnv().REDIS_URL)
  const stream = `${snodo.prefix}:audit`
  const rows = await redis.xrange(stream, '-', '+')
  const pipeline = redis.multi().del(stream)
  for (const [rowId, fields] of rows) {
    const record = JSON.parse(fields[1] as string)
    pipeline.xadd(stream, rowId, 'record', JSON.stringify(rowId === id ? { ...record, who: 'someone-else' } : record))
  }
  await pipeline.exec()
  await redis.quit()
}
