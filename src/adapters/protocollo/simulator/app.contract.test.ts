// The sandbox protocollo simulator, driven by the built-in DOCAREA profile over loopback: the port
// suite with the simulator's magic values, then the simulator's own promises — its WSDL served over
// HTTP is what the adapter loads, it logs every request, and it refuses a DTD in what it receives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatorContext, type RunningSimulator, type SimulatorContext, startSimulator } from '../../simulator/harness.ts'
import { createProtocolloClient, type ProtocolloClient } from '../client.ts'
import { aPractice, describeProtocolPort } from '../port.suite.ts'
import type { PracticeToRegister } from '../port.ts'
import { resolveProtocolProfile } from '../profiles/index.ts'
import { createProtocolloSimulator, type ProtocolloSimulator } from './app.ts'
import { protocolloMagicSubjects as magic } from './magic.ts'

let context: SimulatorContext
let sim: ProtocolloSimulator
let running: RunningSimulator
let client: ProtocolloClient

const withMagic = (token: string) => (p: PracticeToRegister) => ({ ...p, subject: `${p.subject} ${token}` })

beforeAll(async () => {
  context = createSimulatorContext({ idPrefix: 'prot-', clock: () => new Date('2026-03-02T10:00:00Z') })
  sim = createProtocolloSimulator(context, { slowMs: 1_500 })
  running = await startSimulator(sim.app)
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
    expect(posts.map((r) => r.headers.soapaction)).toEqual(['"urn:snodo:sandbox:protocollo/Login"', ...Array(3).fill('"urn:snodo:sandbox:protocollo/Inserimento"'), '"urn:snodo:sandbox:protocollo/Protocollazione"'])
    expect(sim.registrations.at(-1)).toMatchObject({ number: Number(registration.number), year: 2026, date: '02/03/2026', correlationKey: practice.correlationKey })
    expect(sim.problems).toEqual([])
  })

  it('answers 503 for the unavailable magic value and registers nothing', async () => {
    const practice = withMagic(magic.unavailable)(aPractice())
    await expect(client.register(practice)).rejects.toMatchObject({ kind: 'protocol', upstreamCode: 'outcome_unknown', upstreamStatus: 503 })
    expect(sim.registrations.filter((r) => r.correlationKey === practice.correlationKey)).toHaveLength(0)
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
