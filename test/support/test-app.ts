// A whole Snodo app on real Redis with its own key prefix, two tenants and clients of every kind,
// for route tests through app.request(). Each call gets fresh keys and a prefix of its own.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import { createApp } from '../../src/app.ts'
import type { TenantConfig } from '../../src/config/schema.ts'
import { readEnv, validateConfig } from '../../src/config.ts'
import { createDeps, type Deps } from '../../src/deps.ts'
import { createLogger } from '../../src/logger.ts'
import { rotateKey } from '../../src/trust/key-ring.ts'
import { scopes } from '../../src/trust/scopes.ts'

export const publicUrl = 'https://snodo.test'

export type TestClient = { clientId: string; privateJwk: JWK; publicJwk: JWK }

export async function aClientKey(clientId: string, alg: 'ES256' | 'RS256' | 'EdDSA' = 'ES256'): Promise<TestClient> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  return { clientId, privateJwk: { ...(await exportJWK(privateKey)), kid, alg }, publicJwk: { ...publicJwk, kid, alg } }
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>

export type TestAppOptions = {
  bodyBytes?: number
  tenantOverrides?: Partial<TenantConfig>
  clients?: { portal?: TestClient }
  /** Top-level config sections to set (delivery, webhooks…). */
  config?: Record<string, unknown>
}

export async function createTestApp(options: TestAppOptions = {}) {
  const prefix = `test-${randomUUID().slice(0, 8)}`
  const home = mkdtempSync(join(tmpdir(), 'snodo-test-'))
  const keysDir = join(home, 'keys')
  await rotateKey(keysDir)
  const portal = options.clients?.portal ?? (await aClientKey('portal'))
  const reader = await aClientKey('reader')
  const other = await aClientKey('other-comune-portal')
  const ops = await aClientKey('ops-console')
  const config = validateConfig(
    {
      publicUrl,
      signing: { keysDir },
      limits: { bodyBytes: options.bodyBytes ?? 4096 },
      tenants: [
        { id: 'comune-a', name: 'Comune A', fiscalCode: '00000000001', ...options.tenantOverrides },
        { id: 'comune-b', name: 'Comune B', fiscalCode: '00000000002' },
      ],
      clients: [
        { id: portal.clientId, jwks: { keys: [portal.publicJwk] }, tenants: ['comune-a'], scopes: [...scopes] },
        { id: reader.clientId, jwks: { keys: [reader.publicJwk] }, tenants: ['comune-a'], scopes: ['tenants:read'] },
        { id: other.clientId, jwks: { keys: [other.publicJwk] }, tenants: ['comune-b'], scopes: [...scopes] },
        {
          id: ops.clientId,
          jwks: { keys: [ops.publicJwk] },
          tenants: ['*'],
          scopes: ['tenants:read', 'webhooks:read', 'deliveries:read', 'deliveries:replay', 'platforms:pause', 'audit:read'],
        },
      ],
      // Live mode wants the station endpoint authenticated or explicitly open: tests not about it leave it open.
      nodoEndpoint: { open: true },
      ...options.config,
      // Uploaded documents go to this app's own temporary home, removed on close.
      documents: { dir: join(home, 'documents'), ...(options.config?.documents as object | undefined) },
    },
    'live',
    'test config',
  )
  const env = { ...readEnv({}), SNODO_REDIS_PREFIX: prefix, REDIS_URL: readEnv().REDIS_URL }
  const deps: Deps = await createDeps({ config, env, logger: createLogger('silent') })
  const app = createApp(deps)
  return {
    app,
    deps,
    prefix,
    clients: { portal, reader, other, ops },
    async close() {
      const keys = await deps.redis.keys(`${prefix}:*`)
      if (keys.length > 0) await deps.redis.del(...keys)
      await deps.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}
