// A whole Snodo app for the unit lane: no Redis, no platform. What a request meets before the
// route's own work is real (config, keys, clients, token checks, body limits, validation); the
// replay cache and the audit log are in memory; every store, queue and platform port is a stand-in
// that fails loudly, so a test that reaches one belongs to the Redis suite instead.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app.ts'
import type { AuditEntry, AuditLog, AuditRecord } from '../../src/audit/audit-log.ts'
import { readEnv, validateConfig } from '../../src/config.ts'
import type { Deps } from '../../src/deps.ts'
import { createLogger } from '../../src/logger.ts'
import { createMetrics } from '../../src/metrics.ts'
import { createHealthProbe } from '../../src/platforms/health.ts'
import { createClientRegistry } from '../../src/trust/clients.ts'
import { createKeyRing, rotateKey } from '../../src/trust/key-ring.ts'
import type { ReplayCache } from '../../src/trust/replay-cache.ts'
import { scopes } from '../../src/trust/scopes.ts'
import { createVoucherVerifier } from '../../src/trust/verify-voucher.ts'
import { signedInit } from './signed.ts'
import { aClientKey, publicUrl, type TestClient } from './test-app.ts'

/** A member the unit lane must never reach: any use of it throws, naming it. */
function unreachable<T>(name: string): T {
  const fail = (member: string) => {
    throw new Error(`${name}${member} was reached: this request needs Redis or a platform, test it in a .redis.test.ts`)
  }
  // A function target, so that a call of the stand-in itself (deps.gpd(tenant)) fails as loudly as a member.
  const target = () => fail('()')
  return new Proxy(target, {
    get: (_, member) => (typeof member === 'symbol' || member === 'then' ? undefined : fail(`.${member}`)),
    apply: () => fail('()'),
  }) as T
}

/** Remembers jtis in memory, as the Redis one does across instances. */
function createMemoryReplayCache(): ReplayCache {
  const seen = new Set<string>()
  return {
    async firstUse(namespace, issuer, jti) {
      const key = `${namespace}:${issuer}:${jti}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    },
  }
}

/** Keeps what was appended, so a test can see a refusal audited. No hash chain: that is the Redis log's. */
function createMemoryAuditLog(): AuditLog & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = []
  return {
    entries,
    async append(entry) {
      entries.push(entry)
      return { ...entry, at: new Date().toISOString(), prev: '', hash: '' } satisfies AuditRecord
    },
    read: async () => entries.map((record, i) => ({ id: String(i), record: { ...record, at: '', prev: '', hash: '' } })),
    head: async () => '',
  }
}

export async function createUnitApp() {
  const home = mkdtempSync(join(tmpdir(), 'snodo-unit-'))
  const keysDir = join(home, 'keys')
  await rotateKey(keysDir)
  const [portal, reader, other] = await Promise.all([aClientKey('portal'), aClientKey('reader'), aClientKey('other-comune-portal')])
  const config = validateConfig(
    {
      publicUrl,
      signing: { keysDir },
      limits: { bodyBytes: 4096 },
      tenants: [
        { id: 'comune-a', name: 'Comune A', fiscalCode: '00000000001' },
        { id: 'comune-b', name: 'Comune B', fiscalCode: '00000000002' },
      ],
      clients: [
        { id: portal.clientId, jwks: { keys: [portal.publicJwk] }, tenants: ['comune-a'], scopes: [...scopes] },
        { id: reader.clientId, jwks: { keys: [reader.publicJwk] }, tenants: ['comune-a'], scopes: ['tenants:read'] },
        { id: other.clientId, jwks: { keys: [other.publicJwk] }, tenants: ['comune-b'], scopes: [...scopes] },
      ],
      nodoEndpoint: { open: true },
      documents: { dir: join(home, 'documents') },
    },
    'live',
    'unit test config',
  )
  const audit = createMemoryAuditLog()
  const real = {
    config,
    env: { ...readEnv({}), SNODO_REDIS_PREFIX: 'unit-never-used' },
    role: 'api' as const,
    keys: await createKeyRing(keysDir),
    clients: createClientRegistry(config.clients),
    tenants: new Map(config.tenants.map((t) => [t.id, t])),
    replay: createMemoryReplayCache(),
    audit,
    verifyVoucher: createVoucherVerifier(config.auth.leewaySeconds),
    metrics: createMetrics(),
    logger: createLogger('silent'),
    health: createHealthProbe({ clock: () => new Date() }),
    clock: () => new Date(),
    close: async () => {},
  } satisfies Partial<Deps>
  const standIns = [
    'redis',
    'deliveries',
    'engine',
    'events',
    'endpoints',
    'pauses',
    'bucket',
    'breaker',
    'replayBatches',
    'urlGuard',
    'messages',
    'batches',
    'messageBatches',
    'appio',
    'gpd',
    'checkout',
    'payments',
    'paymentOutcomes',
    'paymentFlow',
    'station',
    'protocol',
    'supplier',
    'practices',
    'practiceMessages',
    'timeline',
    'documents',
  ] as const
  const deps: Deps = { ...real, ...(Object.fromEntries(standIns.map((name) => [name, unreachable(`deps.${name}`)])) as Pick<Deps, (typeof standIns)[number]>) }
  const app = createApp(deps)
  return {
    app,
    audit,
    /** A request signed by `client` (the portal by default) as the TypeScript client signs it. */
    send: async (method: string, path: string, body?: object | string, client: TestClient = portal) =>
      app.request(path, await signedInit(client, { method, body })),
    clients: { portal, reader, other },
    close: () => rmSync(home, { recursive: true, force: true }),
  }
}
