// An API process killed (SIGKILL) in the middle of a POST, then the portal's retry with the same
// Idempotency-Key against a restarted process, over real HTTP with the sandbox's simulators. A proxy in
// front of Redis stops the process at an exact point (holding-proxy.ts): after the payment's record is
// written, or once a message is queued and only the stored answer is missing. The retry is answered
// once the dead attempt's lease lapses (seconds, not the minute the old lock took) with the resource
// the first attempt made: one payment and one debt position on GPD, one message and one IO submission.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { createSnodoClient, readClientFile } from '../src/client/index.ts'
import { type HoldingProxy, startHoldingProxy } from './support/holding-proxy.ts'
import { poll } from './support/poll.ts'
import { type RedisServer, startRedisServer } from './support/redis-server.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { eventually } from './support/webhook-receiver.ts'

let redis: RedisServer
let proxy: HoldingProxy
const home = mkdtempSync(join(tmpdir(), 'snodo-idem-crash-'))
const prefix = `idem-crash-${Date.now().toString(36)}`
const processes: SnodoProcess[] = []

beforeAll(async () => {
  redis = await startRedisServer({})
  proxy = await startHoldingProxy({ host: '127.0.0.1', port: Number(new URL(redis.url).port) })
})
afterEach(async () => {
  for (const p of processes.splice(0)) await p.stop()
  proxy.release()
})
afterAll(async () => {
  await proxy?.close()
  await redis?.stop()
  rmSync(home, { recursive: true, force: true })
})

/**
 * One sandbox after another on the same home, Redis and prefix. The one that dies is an API process
 * (`--role api`: no worker, so nothing reaches its simulators); the restarted one runs everything, and
 * its simulators see every call made to the platforms.
 */
async function start(redisUrl: string, role: 'api' | 'all') {
  const snodo = await startSnodo({ args: ['--role', role], env: { SNODO_HOME: home, REDIS_URL: redisUrl, SNODO_REDIS_PREFIX: prefix } })
  processes.push(snodo)
  // The demo client's file names this process's URL (its port is new each time).
  return {
    snodo,
    client: createSnodoClient(readClientFile(join(home, 'sandbox', 'demo-client.json'))),
    simulator: (name: string) => new URL(new RegExp(`Simulator:\\s+${name}\\s+(\\S+)`).exec(snodo.stdout())?.[1] as string).origin,
  }
}

/** Sends the request and kills the process (kill -9) once the proxy has stopped it at `point`. */
async function killMidRequest(snodo: SnodoProcess, send: () => Promise<unknown>, point: Parameters<HoldingProxy['holdAt']>) {
  const held = proxy.holdAt(...point)
  const pending = send().catch(() => undefined) // its connection dies with the process: no answer
  await held
  snodo.child.kill('SIGKILL')
  await snodo.exited
  await pending
  proxy.release()
}

/** The portal's retry loop: again while the dead attempt's lease holds the key (409 request_in_progress). */
async function retry<T extends { status: number }>(send: () => Promise<T>): Promise<T> {
  let answer = await send()
  await poll(async () => (answer = await send()).status !== 409, { timeoutMs: 25_000, everyMs: 500 })
  return answer
}

const recordKeys = async (kind: string) => {
  const { Redis } = await import('ioredis')
  const r = new Redis(redis.url)
  const keys = (await r.keys(`${prefix}:${kind}:${kind}_*`)).filter((k) => !k.endsWith(':history'))
  await r.quit()
  return keys
}

it('a payment: killed after its record was written, retried with the same key → one payment, one GPD position, the same answer', {
  timeout: 120_000,
}, async () => {
  const payments = '/v1/tenants/comune-demo/payments'
  const body = { debtor: { type: 'F', fiscalCode: 'IOUSER00A00Y001X', fullName: 'Mario Rossi' }, amountCents: 5400, description: 'TARI 2026 crash test' }
  const key = `pay-${randomUUID()}`
  const first = await start(proxy.url, 'api')
  // The status store's create script: the record is in Redis, its delivery not yet queued, no answer stored.
  await killMidRequest(first.snodo, () => first.client.post(payments, body, { idempotencyKey: key }), ["redis.call('HSETNX', KEYS[1], 'data'", 'after'])
  expect(await recordKeys('pay')).toHaveLength(1)

  const second = await start(redis.url, 'all')
  const answer = await retry(() => second.client.post(payments, body, { idempotencyKey: key }))
  expect(answer.status).toBe(202)
  const created = answer.body as { id: string; iupd: string; noticeNumber: string }
  expect(await recordKeys('pay')).toEqual([`${prefix}:pay:${created.id}`])
  await eventually(async () => ((await second.client.get(`${payments}/${created.id}`)).body as { status: string }).status === 'published', 40_000)
  const { positions } = (await (await fetch(`${second.simulator('gpd')}/__sim/positions`)).json()) as { positions: { iupd: string }[] }
  expect(positions.map((p) => p.iupd)).toEqual([created.iupd])
  // The key still belongs to that request: another body under it is refused, the same one replays.
  const reused = await second.client.post(payments, { ...body, amountCents: 5401 }, { idempotencyKey: key })
  expect([reused.status, (reused.body as { code: string }).code]).toEqual([409, 'idempotency_key_reused'])
  const replay = await second.client.post(payments, body, { idempotencyKey: key })
  expect([replay.status, replay.headers.get('idempotent-replayed'), (replay.body as { id: string }).id]).toEqual([202, 'true', created.id])
})

it('a message: killed once it was queued, before its answer was stored, retried → one message, sent to IO once', { timeout: 120_000 }, async () => {
  const messages = '/v1/tenants/comune-demo/messages'
  const subject = `Avviso ${randomUUID().slice(0, 8)}`
  const body = {
    fiscalCode: 'IOUSER00A00Y001X',
    subject,
    markdown: `Gentile cittadino, è disponibile un nuovo avviso nella sua area personale. ${'Lo trova nel portale. '.repeat(3)}`,
  }
  const key = `msg-${randomUUID()}`
  const first = await start(proxy.url, 'api')
  await killMidRequest(first.snodo, () => first.client.post(messages, body, { idempotencyKey: key }), ['"state":"done"', 'before'])
  expect(await recordKeys('msg')).toHaveLength(1)

  const second = await start(redis.url, 'all')
  const answer = await retry(() => second.client.post(messages, body, { idempotencyKey: key }))
  expect(answer.status).toBe(202)
  const { id } = answer.body as { id: string }
  expect(await recordKeys('msg')).toEqual([`${prefix}:msg:${id}`])
  const sent = async () =>
    ((await (await fetch(`${second.simulator('appio')}/__sim/accepted`)).json()) as { accepted: { subject: string }[] }).accepted.filter(
      (m) => m.subject === subject,
    )
  await eventually(async () => ((await second.client.get(`${messages}/${id}`)).body as { status: string }).status === 'sent', 60_000)
  expect(await sent()).toHaveLength(1)
})
