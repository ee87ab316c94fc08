// An operator's own profile, written as data, over loopback: HTTP Basic and WS-Security
// UsernameToken reach the vendor as the profile says, with the secrets read from their references
// (backoffice/FACTS.md §3.1 c, d). The WSDL is the sandbox's own, so this runs without ../shared.
import type { IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenSoap, type SoapSimulator } from '../soap-profile/simulator/listen.ts'
import { createProtocolloClient } from './client.ts'
import { aPractice } from './port.suite.ts'
import { ProtocolProfile, type ProtocolProfileInput } from './profile.ts'
import { protocolloWsdlPath } from './simulator/app.ts'

const seen: { authorization?: string; security?: unknown; args: Record<string, unknown> }[] = []
let server: SoapSimulator

beforeAll(async () => {
  const Protocollazione = (args: Record<string, unknown>, _cb: unknown, headers: { Security?: unknown } | undefined, req: IncomingMessage) => {
    seen.push({ authorization: req.headers.authorization, security: headers?.Security, args })
    return { ProtocollazioneResult: { lngNumPG: 7, lngAnnoPG: 2026, strDataPG: '02/03/2026', lngErrNumber: 0 } }
  }
  server = await listenSoap([
    { path: '/protocollo', wsdl: protocolloWsdlPath, services: { SandboxProtocollo: { SandboxProtocolloSoap: { Protocollazione } } } },
  ])
})
afterAll(() => server?.close())

const profileWith = (auth: ProtocolProfileInput['auth']): ProtocolProfile =>
  ProtocolProfile.parse({
    name: 'one-call',
    services: { ws: { wsdl: protocolloWsdlPath, endpoint: `${server.url}/protocollo` } },
    auth,
    credentials: { user: 'env:VENDOR_USER', password: 'env:VENDOR_PASSWORD' },
    attachments: 'refused',
    steps: [
      {
        name: 'registra',
        service: 'ws',
        operation: 'Protocollazione',
        commit: true,
        args: { strUserName: '{{secrets.user}}', strDocumentInfo: '{{practice.subject}} ({{practice.main.sha256}})' },
        inBand: { code: 'ProtocollazioneResult.lngErrNumber', message: 'ProtocollazioneResult.strErrString' },
        outputs: { n: 'ProtocollazioneResult.lngNumPG', y: 'ProtocollazioneResult.lngAnnoPG', d: 'ProtocollazioneResult.strDataPG' },
      },
    ],
    result: { number: '{{steps.registra.n}}', year: '{{steps.registra.y}}', date: '{{steps.registra.d}}' },
  } satisfies ProtocolProfileInput)

const env = { VENDOR_USER: 'comune-a001', VENDOR_PASSWORD: 'pw:with&odd<chars>' }

describe('credentials the way a profile says', () => {
  it('HTTP Basic: an Authorization header on the call', async () => {
    const client = createProtocolloClient(profileWith({ type: 'basic', username: 'user', password: 'password' }), { env })
    expect(await client.register(aPractice({ attachments: [] }))).toEqual({ number: '7', year: 2026, date: '2026-03-02' })
    expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from(`${env.VENDOR_USER}:${env.VENDOR_PASSWORD}`).toString('base64')}`)
    await client.close()
  })

  it('WS-Security: a UsernameToken in the SOAP header, no Authorization header', async () => {
    const client = createProtocolloClient(
      profileWith({ type: 'wsse', username: 'user', password: 'password', passwordType: 'PasswordText', timestamp: true }),
      { env },
    )
    await client.register(aPractice({ attachments: [] }))
    expect(seen.at(-1)?.authorization).toBeUndefined()
    expect(seen.at(-1)?.security).toMatchObject({
      UsernameToken: { Username: env.VENDOR_USER, Password: expect.objectContaining({ $value: env.VENDOR_PASSWORD }) },
    })
    await client.close()
  })

  it('a profile that takes no attachments refuses a practice that has some, before any call', async () => {
    const client = createProtocolloClient(profileWith({ type: 'none' }), { env })
    const before = seen.length
    await expect(client.register(aPractice())).rejects.toMatchObject({ kind: 'rejected', upstreamCode: 'attachments_unsupported' })
    expect(seen.length).toBe(before)
    await client.close()
  })
})
