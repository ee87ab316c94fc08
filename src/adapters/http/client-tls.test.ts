// The per-platform `tls` over a real handshake: a loopback platform that requires a client
// certificate from its CA refuses a client without one, or with one from another CA, and lets the
// configured one through — App IO's and GPD's clients (the shared caller) and the SOAP transport.

import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMtlsPlatform } from '../../../test/support/mtls-platform.ts'
import { createAppIoClient } from '../appio/client.ts'
import { createGpdClient } from '../pagopa/gpd/client.ts'
import { createSoapTransport } from '../soap-profile/transport.ts'

let platform: Awaited<ReturnType<typeof startMtlsPlatform>>
const service = { name: 'tributi', apiKey: 'io-key' }
const credentials = { subscriptionKey: 'gpd-key', organizationFiscalCode: '00000000001' }

beforeAll(async () => {
  platform = await startMtlsPlatform((_method, url) => {
    if (url.startsWith('/profiles')) return { status: 200, body: JSON.stringify({ sender_allowed: true }) }
    if (url.includes('/debtpositions/')) return { status: 200, body: JSON.stringify({ iupd: 'IUPD-1', status: 'VALID', paymentOption: [] }) }
    return { status: 200, headers: { 'content-type': 'text/xml' }, body: '<ok/>' }
  })
})
afterAll(() => platform?.close())

const configured = () => ({ ...platform.certs.nodo, ca: platform.certs.ca.cert })

describe('a platform that requires a client certificate', () => {
  it('refuses the App IO client at TLS without one: the call is unavailable and never reaches it', async () => {
    // Trusts the platform's CA but has no certificate of its own: only the client certificate is missing.
    const trustOnly = new Agent({ connect: { ca: platform.certs.ca.cert } })
    const client = createAppIoClient({ baseUrl: platform.url, dispatcher: trustOnly })
    const before = platform.seen.length
    try {
      await expect(client.checkProfile(service, 'RSSMRA80A01H501U')).rejects.toMatchObject({
        kind: 'unavailable',
        platform: 'appio',
        message: expect.stringContaining('App IO getProfile unreachable'),
      })
      expect(platform.seen.length).toBe(before)
    } finally {
      await trustOnly.close()
    }
  })

  it('refuses a certificate from another CA', async () => {
    const client = createAppIoClient({ baseUrl: platform.url, tls: { ...platform.certs.otherCa, ca: platform.certs.ca.cert } })
    try {
      await expect(client.checkProfile(service, 'RSSMRA80A01H501U')).rejects.toMatchObject({ kind: 'unavailable', platform: 'appio' })
    } finally {
      await client.close()
    }
  })

  it('lets the App IO and GPD clients through with the configured tls, presenting its certificate', async () => {
    const io = createAppIoClient({ baseUrl: platform.url, tls: configured() })
    const gpd = createGpdClient({ baseUrl: `${platform.url}/gpd/v1`, tls: configured() })
    try {
      expect(await io.checkProfile(service, 'RSSMRA80A01H501U')).toEqual({ canReceive: true })
      expect(await gpd.status(credentials, 'IUPD-1')).toBe('VALID')
      expect(platform.seen.slice(-2)).toEqual([
        { method: 'POST', url: '/profiles', subject: 'nodo.pagopa.test' },
        { method: 'GET', url: '/gpd/v1/organizations/00000000001/debtpositions/IUPD-1', subject: 'nodo.pagopa.test' },
      ])
    } finally {
      await Promise.all([io.close(), gpd.close()])
    }
  })

  it('lets the SOAP transport (backoffice) through with tls, and not without', async () => {
    const call = { url: `${platform.url}/protocollo`, method: 'POST', headers: { 'content-type': 'text/xml' }, data: '<Envelope/>' }
    const without = createSoapTransport({ timeoutMs: 5_000, maxAnswerBytes: 1024 })
    const withTls = createSoapTransport({ timeoutMs: 5_000, maxAnswerBytes: 1024, tls: configured() })
    try {
      await expect(without(call)).rejects.toMatchObject({ name: 'TransportFailure', kind: 'unavailable' })
      expect(await withTls(call)).toMatchObject({ status: 200, data: '<ok/>' })
      expect(platform.seen.at(-1)).toEqual({ method: 'POST', url: '/protocollo', subject: 'nodo.pagopa.test' })
    } finally {
      await Promise.all([without.close(), withTls.close()])
    }
  })
})
