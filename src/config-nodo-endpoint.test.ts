// The nodoEndpoint section: what live mode demands of the station endpoint, and options that would do nothing.
import { describe, expect, it } from 'vitest'
import { ConfigError, validateConfig } from './config.ts'

const base = {
  publicUrl: 'https://snodo.test',
  signing: { keysDir: '/tmp/keys' },
  tenants: [
    {
      id: 'comune-a',
      name: 'Comune A',
      fiscalCode: '00000000001',
      platforms: { pagopa: { baseUrl: 'https://gpd.test', subscriptionKey: 'env:K', idBrokerPA: '00000000001', idStation: 'S_01', segregationCode: '01' } },
    },
  ],
  clients: [{ id: 'portal', jwks: { keys: [{ kty: 'EC', kid: 'k' }] }, tenants: ['comune-a'], scopes: ['tenants:read'] }],
}
const env = { K: 'key', GOOD: 'a-long-enough-secret-123', SHORT: 'short', SLASH: 'has/a/slash/in/it/0123' }

function problems(nodoEndpoint: unknown, mode: 'live' | 'sandbox' = 'live') {
  try {
    validateConfig({ ...base, ...(nodoEndpoint === undefined ? {} : { nodoEndpoint }) }, mode, 'test', env)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

describe('nodoEndpoint', () => {
  it('live mode with a pagoPA tenant wants the Node authenticated, or open: true said explicitly', () => {
    expect(problems(undefined)).toEqual([
      { path: 'nodoEndpoint', message: expect.stringContaining('tenant comune-a uses pagoPA, so /pagopa/nodo must authenticate the pagoPA Node') },
    ])
    expect(problems({})).toHaveLength(1)
    expect(problems({ open: true })).toEqual([])
    expect(problems({ secret: 'env:GOOD' })).toEqual([])
    expect(problems({ allowFrom: ['192.0.2.0/24'] })).toEqual([])
  })
  it('refuses options that would do nothing or contradict each other', () => {
    expect(problems({ secret: 'env:GOOD', trustedProxies: ['10.0.0.1'] })).toEqual([
      { path: 'nodoEndpoint.trustedProxies', message: 'trustedProxies is only read with allowFrom' },
    ])
    expect(problems({ open: true, secret: 'env:GOOD' })).toEqual([{ path: 'nodoEndpoint.open', message: 'open: true contradicts mtls, allowFrom or secret' }])
    expect(problems({ allowFrom: ['192.0.2.0/33'] })[0]).toMatchObject({ path: 'nodoEndpoint.allowFrom.0' })
  })
  it('a secret must resolve, be long enough and fit in a URL path', () => {
    expect(problems({ secret: 'env:SHORT' })[0]).toMatchObject({ path: 'nodoEndpoint.secret' })
    expect(problems({ secret: 'env:SLASH' })[0]).toMatchObject({ path: 'nodoEndpoint.secret' })
    expect(problems({ secret: 'env:UNSET' })).toEqual([{ path: 'nodoEndpoint.secret', message: expect.stringContaining('cannot be resolved') }])
  })
  it('mTLS files must resolve and name at least one subject attribute', () => {
    const mtls = { port: 8443, cert: 'file:/nonexistent/c.pem', key: 'file:/nonexistent/k.pem', clientCa: 'file:/nonexistent/ca.pem', allowedSubjects: [{}] }
    expect(
      problems({ mtls })
        .map((p) => p.path)
        .sort(),
    ).toEqual(['nodoEndpoint.mtls.allowedSubjects.0', 'nodoEndpoint.mtls.cert', 'nodoEndpoint.mtls.clientCa', 'nodoEndpoint.mtls.key'])
  })
})
