// The README's run command on a clean machine: `npm start` with a fresh SNODO_HOME tells a portal
// vendor where everything is and leaves a client file any tool can sign with.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, type SnodoProcess, startSnodo } from './support/sandbox-process.ts'

let snodo: SnodoProcess
let demoClientPath: string
beforeAll(async () => {
  snodo = await startSnodo()
  demoClientPath = join(snodo.home, 'sandbox', 'demo-client.json')
})
afterAll(() => snodo.stop())

describe('npm start in sandbox mode, from a clean state', () => {
  it('prints where the docs, the health check, the demo tenant and the demo client are', () => {
    const banner = snodo.stdout()
    expect(banner).toContain('Snodo is running in SANDBOX mode (role all)')
    expect(banner).toContain(`  API docs:     ${snodo.baseUrl}/docs\n`)
    expect(banner).toContain(`  Health:       ${snodo.baseUrl}/health/ready\n`)
    expect(banner).toContain('  Demo tenant:  comune-demo\n')
    expect(banner).toContain(`  Demo client:  ${demoClientPath} (client demo-portal, every scope)\n`)
    expect(banner).toContain('  Try it:       npx snodo call GET /v1/tenants/comune-demo\n')
  })

  it('writes demo-client.json with exactly { baseUrl, clientId, tenantId, audience, privateJwk }, readable only by its owner', () => {
    const file = JSON.parse(readFileSync(demoClientPath, 'utf8'))
    expect(Object.keys(file).sort()).toEqual(['audience', 'baseUrl', 'clientId', 'privateJwk', 'tenantId'])
    expect(file).toMatchObject({ baseUrl: snodo.baseUrl, audience: snodo.baseUrl, clientId: 'demo-portal', tenantId: 'comune-demo' })
    expect(file.privateJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: expect.any(String), d: expect.any(String) })
    expect(statSync(demoClientPath).mode & 0o777).toBe(0o600)
  })

  it('serves what the banner points at: health, the contract and its docs page', async () => {
    expect((await fetch(`${snodo.baseUrl}/health/ready`)).status).toBe(200)
    const contract = await fetch(`${snodo.baseUrl}/openapi/v1.yaml`)
    expect(await contract.text()).toBe(readFileSync(join(repoRoot, 'openapi/snodo.v1.yaml'), 'utf8'))
    const docs = await fetch(`${snodo.baseUrl}/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain('/openapi/v1.yaml')
  })
})
