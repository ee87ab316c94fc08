// What a portal vendor does on a fresh machine: start the sandbox, read the docs, call Snodo with the
// bundled TypeScript client, and get answers whose signature verifies.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLocalJWKSet, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSnodoClient, type ClientIdentity, ResponseNotVerifiedError, readClientFile } from '../src/client/index.ts'
import { repoRoot, type SnodoProcess, startSnodo } from './support/snodo-process.ts'

let snodo: SnodoProcess
let demoClientPath: string
beforeAll(async () => {
  snodo = await startSnodo()
  demoClientPath = join(snodo.home, 'sandbox', 'demo-client.json')
})
afterAll(() => snodo.stop())

describe('npm start in sandbox mode', () => {
  it('prints where the docs, the health check, the demo tenant and the demo client are', () => {
    const banner = snodo.output()
    expect(banner).toContain('Snodo is running in SANDBOX mode')
    expect(banner).toContain(`API docs:     ${snodo.baseUrl}/docs`)
    expect(banner).toContain(`Health:       ${snodo.baseUrl}/health/ready`)
    expect(banner).toContain('Demo tenant:  comune-demo')
    expect(banner).toContain(`Demo client:  ${demoClientPath}`)
  })

  it('writes the demo client file that any tool can sign with', () => {
    const file = JSON.parse(readFileSync(demoClientPath, 'utf8'))
    expect(Object.keys(file).sort()).toEqual(['audience', 'baseUrl', 'clientId', 'privateJwk', 'tenantId'])
    expect(file).toMatchObject({ baseUrl: snodo.baseUrl, audience: snodo.baseUrl, clientId: 'demo-portal', tenantId: 'comune-demo' })
    expect(file.privateJwk).toHaveProperty('d')
  })

  it('serves the contract and its docs page', async () => {
    const contract = await fetch(`${snodo.baseUrl}/openapi/v1.yaml`)
    expect(await contract.text()).toBe(readFileSync(join(repoRoot, 'openapi/snodo.v1.yaml'), 'utf8'))
    const docs = await fetch(`${snodo.baseUrl}/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain('/openapi/v1.yaml')
  })
})

describe('the TypeScript client', () => {
  it('signs requests and verifies every answer', async () => {
    const snodoClient = createSnodoClient(readClientFile(demoClientPath), { rejectUnverified: true })
    const tenant = await snodoClient.get('/v1/tenants/comune-demo')
    expect(tenant.status).toBe(200)
    expect(tenant.verification).toEqual({ verified: true, kid: expect.any(String) })
    expect(tenant.body).toMatchObject({ id: 'comune-demo', acceptsPdndVouchers: true })
    const echo = await snodoClient.post('/v1/tenants/comune-demo/echo', { pratica: 'cambio di residenza' }, { idempotencyKey: 'client-e2e-1' })
    const again = await snodoClient.post('/v1/tenants/comune-demo/echo', { pratica: 'cambio di residenza' }, { idempotencyKey: 'client-e2e-1' })
    expect(echo.body).toMatchObject({ clientId: 'demo-portal', body: { pratica: 'cambio di residenza' } })
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(echo.body)
  })

  it('says clearly when an answer does not verify', async () => {
    const { publicKey } = await generateKeyPair('ES256')
    const wrongKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: (await readJwks()).keys[0].kid }] })
    const identity: ClientIdentity = readClientFile(demoClientPath)
    const lenient = await createSnodoClient(identity, { snodoKeys: wrongKeys }).get('/v1/tenants/comune-demo')
    expect(lenient.verification).toEqual({ verified: false, reason: expect.stringContaining('signature verification failed') })
    const strict = createSnodoClient(identity, { snodoKeys: wrongKeys, rejectUnverified: true })
    await expect(strict.get('/v1/tenants/comune-demo')).rejects.toBeInstanceOf(ResponseNotVerifiedError)
  })
})

async function readJwks() {
  return (await fetch(`${snodo.baseUrl}/.well-known/jwks.json`)).json()
}
