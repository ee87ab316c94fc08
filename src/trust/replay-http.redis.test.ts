// A captured request replayed over real HTTP (the app served by @hono/node-server, workers running,
// App IO and PDND simulators on loopback): the same bytes sent again, or its Agid-JWT-Signature put
// on a fresh token, must never reach IO a second time (ModI ID_AUTH_REST_02: jti unique; pdnd/FACTS.md
// "ModI patterns": with PDND the voucher is that token).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestBytes, sendRaw } from '../../test/support/raw-http.ts'
import { serveOnLoopback } from '../../test/support/served-app.ts'
import { aClientKey, createTestApp, publicUrl, type TestApp, type TestClient } from '../../test/support/test-app.ts'
import { freshVouchers } from '../../test/support/tokens.ts'
import { eventually } from '../../test/support/webhook-receiver.ts'
import { type AppIoSimulator, createAppIoSimulator } from '../adapters/appio/simulator/app.ts'
import { appioTestCitizens } from '../adapters/appio/simulator/citizens.ts'
import { createPdndSimulator } from '../adapters/pdnd/simulator/app.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../adapters/simulator/harness.ts'
import { importSigningKey, signRequest } from '../client/index.ts'
import { startWorkers } from '../workers.ts'

const purposeId = randomUUID()
const eserviceAudience = `${publicUrl}/eservice`
let t: TestApp
let io: AppIoSimulator
let simulators: RunningSimulator[]
let workers: { close(): Promise<void> }
let closeServer: () => Promise<void>
let origin: string
let portal: TestClient
let voucherFor: (purpose: string) => Promise<string>

beforeAll(async () => {
  process.env.TEST_REPLAY_IO_KEY = 'key-replay'
  portal = await aClientKey('portal', 'RS256')
  io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), {
    services: [{ apiKey: 'key-replay', organizationFiscalCode: '00000000001' }],
    retryAfterSeconds: 1,
  })
  const pdnd = await createPdndSimulator(createSimulatorContext())
  const pdndClientId = randomUUID()
  await pdnd.registerClient({ clientId: pdndClientId, publicJwk: portal.publicJwk, purposes: { [purposeId]: eserviceAudience } })
  const [ioRunning, pdndRunning] = (simulators = [await startSimulator(io.app), await startSimulator(pdnd.app)]) as [RunningSimulator, RunningSimulator]
  t = await createTestApp({
    clients: { portal },
    tenantOverrides: {
      pdnd: { issuer: pdnd.issuer, jwksUrl: `${pdndRunning.url}/.well-known/jwks.json`, audience: eserviceAudience, purposes: { [purposeId]: 'portal' } },
      platforms: {
        appio: { enabled: true, baseUrl: `${ioRunning.url}/api/v1`, services: [{ name: 'generale', apiKey: 'env:TEST_REPLAY_IO_KEY', default: true }] },
      },
    },
  })
  voucherFor = freshVouchers({
    tokenUrl: `${pdndRunning.url}/token.oauth2`,
    clientId: pdndClientId,
    kid: String(portal.publicJwk.kid),
    privateJwk: portal.privateJwk,
    assertionAudience: pdnd.assertionAudience,
  })
  workers = await startWorkers(t.deps)
  ;({ origin, close: closeServer } = await serveOnLoopback(t.app.fetch))
})
afterAll(async () => {
  await closeServer()
  await workers.close()
  await t.close()
  for (const s of simulators) await s.close()
})

const messages = '/v1/tenants/comune-a/messages'
const aMessageBody = (subject: string) =>
  JSON.stringify({
    fiscalCode: appioTestCitizens.onIo,
    subject,
    markdown: `Gentile cittadino, ${'la sua pratica è stata registrata e verrà esaminata. '.repeat(2)}`,
  })
/** Digest, Content-Type, Agid-JWT-Signature and a client bearer, as the TypeScript client signs them. */
const signed = async (body: string) => signRequest(await importSigningKey(portal.privateJwk), { clientId: 'portal', audience: publicUrl }, body)
const wire = (headers: Record<string, string>, body: string) =>
  requestBytes(origin, 'POST', messages, { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body)
const reachedIo = (subject: string) => io.accepted.filter((m) => m.body.content.subject === subject)

/** One accepted, then the rest refused with `code`; the one accepted message reaches IO once. */
async function expectOnlyFirstAccepted(requests: Buffer[], subject: string, code: string) {
  const answers = []
  for (const bytes of requests) answers.push(await sendRaw(origin, bytes))
  expect(answers.map((a) => a.status)).toEqual([202, ...requests.slice(1).map(() => 401)])
  expect(answers.slice(1).map((a) => a.json().code)).toEqual(requests.slice(1).map(() => code))
  const id = String(answers[0]?.json().id)
  await eventually(async () => (await t.deps.messages.get(id))?.status === 'sent')
  expect(reachedIo(subject)).toHaveLength(1)
}

describe('a captured request, replayed over HTTP', () => {
  it('signed with a PDND voucher, sent three times byte for byte → 202 once, then 401 token_replayed; one IO message', async () => {
    const subject = `Replay voucher ${randomUUID().slice(0, 8)}`
    const body = aMessageBody(subject)
    const bytes = wire({ ...(await signed(body)), authorization: `Bearer ${await voucherFor(purposeId)}` }, body)
    await expectOnlyFirstAccepted([bytes, bytes, bytes], subject, 'token_replayed')
  })

  it('signed with a client bearer, sent three times byte for byte → 202 once, then 401 token_replayed; one IO message', async () => {
    const subject = `Replay bearer ${randomUUID().slice(0, 8)}`
    const body = aMessageBody(subject)
    const bytes = wire(await signed(body), body)
    await expectOnlyFirstAccepted([bytes, bytes, bytes], subject, 'token_replayed')
  })

  it('its Agid-JWT-Signature put on a fresh client bearer → 401 signature_replayed; one IO message', async () => {
    const subject = `Replay signature ${randomUUID().slice(0, 8)}`
    const body = aMessageBody(subject)
    const captured = await signed(body)
    const fresh = async () => wire({ ...captured, authorization: (await signed(body)).authorization as string }, body)
    await expectOnlyFirstAccepted([wire(captured, body), await fresh(), await fresh()], subject, 'signature_replayed')
  })

  it('its Agid-JWT-Signature put on a fresh PDND voucher → 401 signature_replayed; one IO message', async () => {
    const subject = `Replay signature voucher ${randomUUID().slice(0, 8)}`
    const body = aMessageBody(subject)
    const captured = await signed(body)
    const underVoucher = async () => wire({ ...captured, authorization: `Bearer ${await voucherFor(purposeId)}` }, body)
    await expectOnlyFirstAccepted([await underVoucher(), await underVoucher()], subject, 'signature_replayed')
  })
})
