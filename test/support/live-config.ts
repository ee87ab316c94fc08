// snodo.config.yaml files for process tests: a valid live one (fresh signing key, one client) and a
// wrong one carrying five different mistakes, with the problems start-up must report for it.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { rotateKey } from '../../src/trust/key-ring.ts'
import { scopes } from '../../src/trust/scopes.ts'
import { aClientKey, type TestClient } from './test-app.ts'

export const livePublicUrl = 'https://snodo.comune.test'

export async function writeLiveConfig(): Promise<{
  path: string
  dir: string
  keysDir: string
  signingKid: string
  client: TestClient
  config: Record<string, unknown>
}> {
  const dir = mkdtempSync(join(tmpdir(), 'snodo-config-'))
  const keysDir = join(dir, 'keys')
  const signingKid = await rotateKey(keysDir)
  const client = await aClientKey('portale')
  const config = {
    publicUrl: livePublicUrl,
    signing: { keysDir },
    tenants: [{ id: 'comune-a', name: 'Comune A', fiscalCode: '00000000001' }],
    clients: [{ id: 'portale', jwks: { keys: [client.publicJwk] }, tenants: ['comune-a'], scopes: ['tenants:read'] }],
  }
  const path = join(dir, 'snodo.config.yaml')
  writeFileSync(path, stringify(config))
  return { path, dir, keysDir, signingKid, client, config }
}

/** An environment variable that no test sets, so the secret that names it cannot resolve. */
const unsetSecret = 'env:SNODO_E2E_NEVER_SET'

export async function writeWrongConfig(): Promise<{ path: string; dir: string; problems: string[] }> {
  const live = await writeLiveConfig()
  const wrong = {
    ...live.config,
    publicUrl: 'not a url',
    tenants: [
      {
        id: 'comune-a',
        name: 'Comune A',
        fiscalCode: '123',
        platforms: { appio: { baseUrl: 'https://io.test', services: [{ name: 'tributi', apiKey: unsetSecret }] } },
      },
    ],
    clients: [{ id: 'portale', jwks: { keys: [live.client.publicJwk] }, tenants: ['comune-fantasma'], scopes: ['tenants:read', 'tenants:fly'] }],
  }
  const path = join(live.dir, 'wrong.yaml')
  writeFileSync(path, stringify(wrong))
  const problems = [
    'publicUrl: Invalid URL',
    'tenants.0.fiscalCode: an 11-digit fiscal code',
    `clients.0.scopes.1: Invalid option: expected one of ${scopes.map((s) => `"${s}"`).join('|')}`,
    'clients.0.tenants.0: unknown tenant "comune-fantasma"',
    `tenants.0.platforms.appio.services.0.apiKey: secret ${unsetSecret} cannot be resolved (unset variable or unreadable file)`,
  ]
  return { path, dir: live.dir, problems }
}
