// The sandbox protocollo simulator, driven by the built-in DOCAREA profile over loopback: the port
// suite with the simulator's magic values, then the simulator's own promises — its WSDL served over
// HTTP is what the adapter loads, it logs every request, and it refuses a DTD in what it receives; its
// transient troubles are safe to retry, and its control lists what it registered.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatorContext, type RunningSimulator, type SimulatorContext, startSimulator } from '../../simulator/harness.ts'
import { createProtocolloClient, type ProtocolloClient } from '../client.ts'
import { aPractice, describeProtocolPort } from '../port.suite.ts'
import type { PracticeToRegister } from '../port.ts'
import { resolveProtocolProfile } from '../profiles/index.ts'
import { createProtocolloSimulator, type ProtocolloSimulator } from './app.ts'
import { protocolloSimulatorControls } from './controls.ts'
import { protocolloMagicSubjects as magic, transientCodes } from './magic.ts'

let context: SimulatorContext
let sim: ProtocolloSimulator
let running: RunningSimulator
let client: ProtocolloClient

const withMagic = (token: string) => (p: PracticeToRegister) => ({ ...p, subject: `${p.subject} ${token}` })
const registrationsOf = (p: PracticeToRegister) => sim.registrations.filter((r) => r.correlationKey === p.correlationKey).length
const soapActions = (from: number) =>
  context.received
    .slice(from)
    .filter((r) => r.method === 'POST')
    .map((r) => r.headers.soapaction?.replace(/^"urn:snodo:sandbox:protocollo\/|"$/g, ''))

beforeAll(async () => {
  context = createSimulatorContext({ idPrefix: 'prot-', clock: () => new Date('2026-03-02T10:00:00Z') })
  sim = createProtocolloSimulator(context, { slowMs: 1_500 })
  // As the sandbox serves it: the controls in front of the SOAP service.
  running = await startSimulator(new Hono().route('/__sim', protocolloSimulatorControls(sim)).route('/', sim.app))
  const resolved = resolveProtocolProfile({ ...sim.settingsFor(running.url), timeoutMs: 400 })
  if (!resolved.success) throw new Error(resolved.problems.join('\n'))
  client = createProtocolloClient(resolved.profile, { env: sim.env })
})
afterAll(async () => {
  await client?.close()
  await running?.close()
})

describeProtocolPort('DOCAREA profile against the sandbox simulator', async () => ({
  port: client,
  canSearch: false,
  registrationsOf: (key) => sim.registrations.filter((r) => r.correlationKey === key).length,
  inBandCode: '108',
  recorded: (key) => {
    const found = sim.registrations.find((r) => r.correlationKey === key)
    return found && { flusso: found.flusso, ...(found.precedent ? { refersTo: found.precedent } : {}) }
  },
  referenceTo: (original) => `${original.number}/${original.year}`,
  arrange: {
    inBandError: withMagic(magic.inBandError),
    fault: withMagic(magic.fault),
    commitTimeoutAfterRegistering: withMagic(magic.slow),
    notXml: withMagic(magic.notXml),
    dtd: withMagic(magic.dtd),
    noNumber: withMagic(magic.noNumber),
  },
}))

describe('the sandbox protocollo simulator', () => {
  it('serves its own WSDL at ?wsdl with the address it is reached at', async () => {
    const answer = await fetch(`${running.url}/protocollo?wsdl`)
    expect(await answer.text()).toContain(`location="${running.url}/protocollo"`)
  })

  it('logs every request it received and registers what a strict DOCAREA vendor accepts', async () => {
    const before = context.received.length
    const practice = aPractice()
    const registration = await client.register(practice)
    const posts = context.received.slice(before).filter((r) => r.method === 'POST')
    expect(posts.map((r) => r.headers.soapaction)).toEqual([
      '"urn:snodo:sandbox:protocollo/Login"',
      ...Array(3).fill('"urn:snodo:sandbox:protocollo/Inserimento"'),
      '"urn:snodo:sandbox:protocollo/Protocollazione"',
    ])
    expect(sim.registrations.at(-1)).toMatchObject({
      number: Number(registration.number),
      year: 2026,
      date: '02/03/2026',
      correlationKey: practice.correlationKey,
    })
    expect(sim.problems).toEqual([])
  })

  it('answers 503 for the unavailable magic value and registers nothing', async () => {
    const practice = withMagic(magic.unavailable)(aPractice())
    await expect(client.register(practice)).rejects.toMatchObject({ kind: 'protocol', upstreamCode: 'outcome_unknown', upstreamStatus: 503 })
    expect(sim.registrations.filter((r) => r.correlationKey === practice.correlationKey)).toHaveLength(0)
  })

  it('is busy once per practice: 901 in-band is unavailable (retryable), nothing registered; the retry registers it once', async () => {
    const practice = withMagic(magic.busy)(aPractice())
    await expect(client.register(practice)).rejects.toMatchObject({ kind: 'unavailable', retryable: true, upstreamCode: transientCodes.busy.code })
    expect(registrationsOf(practice)).toBe(0)
    await client.register(practice)
    expect(registrationsOf(practice)).toBe(1)
  })

  it('has a slow Login once per practice: session expired (retryable), then a Login timeout before anything is registered (retryable), then one registration', async () => {
    const practice = withMagic(magic.slowLogin)(aPractice())
    await expect(client.register(practice)).rejects.toMatchObject({ kind: 'unavailable', retryable: true, upstreamCode: transientCodes.sessionExpired.code })
    const before = context.received.length
    await expect(client.register(practice)).rejects.toMatchObject({ kind: 'timeout', retryable: true, message: 'docarea Login: no answer within 400 ms' })
    // The adapter gave up at the Login: no document uploaded, no Protocollazione sent.
    expect(soapActions(before)).toEqual(['Login'])
    expect(registrationsOf(practice)).toBe(0)
    const registration = await client.register(practice)
    expect(registrationsOf(practice)).toBe(1)
    expect(sim.registrations.at(-1)?.number).toBe(Number(registration.number))
  })

  it('lists what it registered at /__sim/registrations, by correlation key, with direction and precedent, without the Segnatura', async () => {
    const practice = aPractice()
    const registration = await client.register(practice)
    const step = aPractice({ correlationKey: `${practice.correlationKey}/2`, direction: 'outgoing', precedent: registration, attachments: [] })
    const stepRegistration = await client.register(step)
    const { registrations } = (await (await fetch(`${running.url}/__sim/registrations`)).json()) as { registrations: Record<string, unknown>[] }
    expect(registrations).toHaveLength(sim.registrations.length)
    expect(registrations.slice(-2)).toEqual([
      {
        number: Number(registration.number),
        year: 2026,
        date: '02/03/2026',
        correlationKey: practice.correlationKey,
        documentIds: expect.any(Array),
        flusso: 'E',
      },
      {
        number: Number(stepRegistration.number),
        year: 2026,
        date: '02/03/2026',
        correlationKey: step.correlationKey,
        documentIds: expect.any(Array),
        flusso: 'U',
        precedent: `${registration.number}/2026`,
      },
    ])
  })

  it('refuses a request carrying a DTD before any parser sees it', async () => {
    const answer = await fetch(`${running.url}/protocollo`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', soapaction: 'urn:snodo:sandbox:protocollo/Login' },
      body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&b;</soap:Body></soap:Envelope>',
    })
    expect(answer.status).toBe(400)
  })

  it('refuses a Login with the wrong password in-band, as DOCAREA does', async () => {
    const resolved = resolveProtocolProfile({ ...sim.settingsFor(running.url), credentials: { username: 'env:U', password: 'env:P' } })
    if (!resolved.success) throw new Error(resolved.problems.join('\n'))
    const wrong = createProtocolloClient(resolved.profile, { env: { U: 'snodo-sandbox', P: 'not-the-password' } })
    await expect(wrong.register(aPractice())).rejects.toMatchObject({ kind: 'unauthorized', upstreamCode: '1' })
    await wrong.close()
  })
})
