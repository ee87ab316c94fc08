// platforms.<name>.tls: what the config accepts is what runs (handbook rule 5). A tls where no client
// would present it is refused at start-up; one that does not load is told then, not at the first call.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { nodoCertificates } from '../test/support/nodo-certificates.ts'
import { ConfigError, validateConfig } from './config.ts'

let refs: { cert: string; key: string; ca: string; otherKey: string }

beforeAll(async () => {
  const certs = await nodoCertificates()
  const file = (name: string, text: string) => {
    writeFileSync(join(certs.dir, name), text)
    return `file:${join(certs.dir, name)}`
  }
  refs = {
    cert: file('client.crt', certs.nodo.cert),
    key: file('client.key', certs.nodo.key),
    ca: file('ca.pem', certs.ca.cert),
    otherKey: file('other.key', certs.otherCa.key),
  }
})

const env = { K: 'key', NOT_PEM: 'not a certificate' }

function problems(platforms: Record<string, unknown>) {
  const config = {
    publicUrl: 'https://snodo.test',
    signing: { keysDir: '/tmp/keys' },
    nodoEndpoint: { open: true },
    tenants: [{ id: 'comune-a', name: 'Comune A', fiscalCode: '00000000001', platforms }],
    clients: [{ id: 'portal', jwks: { keys: [{ kty: 'EC', kid: 'k' }] }, tenants: ['comune-a'], scopes: ['tenants:read'] }],
  }
  try {
    validateConfig(config, 'live', 'test', env)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

const appio = (tls?: unknown) => ({ appio: { baseUrl: 'https://io.test/api/v1', services: [{ name: 'tributi', apiKey: 'env:K', default: true }], tls } })
const pagopa = (tls: unknown) => ({
  pagopa: { baseUrl: 'https://gpd.test', subscriptionKey: 'env:K', idBrokerPA: '00000000001', idStation: 'S_01', segregationCode: '01', tls },
})
const send = (tls: unknown) => ({
  send: {
    baseUrl: 'https://send.test',
    apiKey: 'env:K',
    pdnd: { tokenUrl: 'https://pdnd.test/token', clientId: 'c', kid: 'k', privateKey: 'env:K', purposeId: 'p', audience: 'a' },
    tls,
  },
})

describe('platforms.<name>.tls', () => {
  it('is accepted where a client presents it: App IO and pagoPA (GPD, Checkout)', () => {
    expect(problems(appio({ cert: refs.cert, key: refs.key, ca: refs.ca }))).toEqual([])
    expect(problems(pagopa({ cert: refs.cert, key: refs.key }))).toEqual([])
  })

  it('is refused on SEND and CIE, which have no client yet to present it', () => {
    expect(problems(send({ cert: refs.cert, key: refs.key }))).toEqual([
      { path: 'tenants.0.platforms.send.tls', message: expect.stringContaining('Snodo has no send client yet') },
    ])
    expect(problems({ cie: { baseUrl: 'https://cie.test', tls: { cert: refs.cert, key: refs.key } } })).toEqual([
      { path: 'tenants.0.platforms.cie.tls', message: expect.stringContaining('Snodo has no cie client yet') },
    ])
  })

  it('is refused when the certificate does not load or the key is not its own', () => {
    expect(problems(appio({ cert: 'env:NOT_PEM', key: refs.key }))).toEqual([
      { path: 'tenants.0.platforms.appio.tls', message: expect.stringContaining('does not load') },
    ])
    expect(problems(appio({ cert: refs.cert, key: refs.otherKey }))).toEqual([
      { path: 'tenants.0.platforms.appio.tls', message: expect.stringContaining('does not load') },
    ])
  })

  it('reports an unresolvable reference once, as every secret', () => {
    expect(problems(appio({ cert: 'file:/nonexistent/c.pem', key: refs.key }))).toEqual([
      { path: 'tenants.0.platforms.appio.tls.cert', message: expect.stringContaining('cannot be resolved') },
    ])
  })
})
