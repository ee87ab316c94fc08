// From snodo.config.yaml to the handshake: a tenant's platforms.appio.tls and platforms.pagopa.tls
// reach the clients the composition root builds, so a platform that requires a client certificate
// takes their calls, and the health probe's. Without the wiring the same calls are refused at TLS.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMtlsPlatform } from './support/mtls-platform.ts'
import { createTestApp, type TestApp } from './support/test-app.ts'

let platform: Awaited<ReturnType<typeof startMtlsPlatform>>
let t: TestApp

beforeAll(async () => {
  platform = await startMtlsPlatform((_method, url) =>
    url.startsWith('/io/profiles')
      ? { status: 200, body: JSON.stringify({ sender_allowed: true }) }
      : { status: 200, body: JSON.stringify({ iupd: 'IUPD-1', status: 'VALID', paymentOption: [] }) },
  )
  const file = (name: string, text: string) => {
    writeFileSync(join(platform.certs.dir, name), text)
    return `file:${join(platform.certs.dir, name)}`
  }
  const tls = {
    cert: file('client.crt', platform.certs.nodo.cert),
    key: file('client.key', platform.certs.nodo.key),
    ca: file('ca.pem', platform.certs.ca.cert),
  }
  const apiKey = file('io-key', 'io-key')
  t = await createTestApp({
    tenantOverrides: {
      platforms: {
        appio: { enabled: true, baseUrl: `${platform.url}/io`, tls, services: [{ name: 'tributi', apiKey, default: true }] },
        pagopa: {
          enabled: true,
          baseUrl: `${platform.url}/gpd`,
          tls,
          mode: 'gpd',
          subscriptionKey: apiKey,
          idBrokerPA: '00000000001',
          idStation: 'S_01',
          segregationCode: '01',
        },
      },
    },
  })
})
afterAll(async () => {
  await t?.close()
  await platform?.close()
})

describe('platforms.<name>.tls in the running app', () => {
  it('App IO and GPD calls present the configured client certificate', async () => {
    const tenant = t.deps.tenants.get('comune-a')
    if (!tenant) throw new Error('no tenant')
    expect(await t.deps.appio(tenant).checkProfile({ name: 'tributi', apiKey: 'io-key' }, 'RSSMRA80A01H501U')).toEqual({ canReceive: true })
    expect(await t.deps.gpd(tenant).status({ subscriptionKey: 'io-key', organizationFiscalCode: '00000000001' }, 'IUPD-1')).toBe('VALID')
    expect(platform.seen.map((s) => [s.url.split('/')[1], s.subject])).toEqual([
      ['io', 'nodo.pagopa.test'],
      ['gpd', 'nodo.pagopa.test'],
    ])
  })

  it('the health probe presents it too, so such a platform does not look down', async () => {
    const tenant = t.deps.tenants.get('comune-a')
    if (!tenant) throw new Error('no tenant')
    const health = await t.deps.health.platformsOf(tenant.platforms)
    expect(health.map((h) => [h.platform, h.status, h.detail])).toEqual([
      ['pagopa', 'up', undefined],
      ['appio', 'up', undefined],
    ])
  })
})
