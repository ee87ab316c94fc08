// The one composition root: builds every dependency from the validated config, once.
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { type AuditLog, createAuditLog } from './audit/audit-log.ts'
import type { Config, RuntimeEnv } from './config.ts'
import type { TenantConfig } from './config-schema.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { createHealthProbe, type HealthProbe } from './platforms/health.ts'
import { type ClientRegistry, createClientRegistry } from './trust/clients.ts'
import { createKeyRing, type KeyRing } from './trust/key-ring.ts'
import { createReplayCache, type ReplayCache } from './trust/replay-cache.ts'
import { createVoucherVerifier, type VoucherVerifier } from './trust/verify-voucher.ts'

export type Role = 'all' | 'api' | 'worker'

export type Deps = {
  config: Config
  env: RuntimeEnv
  role: Role
  redis: Redis
  keys: KeyRing
  clients: ClientRegistry
  tenants: ReadonlyMap<string, TenantConfig>
  replay: ReplayCache
  audit: AuditLog
  health: HealthProbe
  verifyVoucher: VoucherVerifier
  metrics: Metrics
  logger: Logger
  clock: () => Date
  close(): Promise<void>
}

export async function createDeps(init: {
  config: Config
  env: RuntimeEnv
  role?: Role
  logger: Logger
  clock?: () => Date
  defaultMetrics?: boolean
}): Promise<Deps> {
  const { config, env, logger } = init
  const prefix = env.SNODO_REDIS_PREFIX
  // Auto-pipelining batches the commands concurrent requests issue in one tick into one write.
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true })
  // WATCH is per connection and must not be pipelined: the hash-chained audit log gets a plain connection of its own.
  const auditRedis = redis.duplicate({ enableAutoPipelining: false })
  await Promise.all([redis.connect(), auditRedis.connect()])
  const keys = await createKeyRing(config.signing.keysDir)
  const clock = init.clock ?? (() => new Date())
  return {
    config,
    env,
    role: init.role ?? 'all',
    redis,
    keys,
    clients: createClientRegistry(config.clients),
    tenants: new Map(config.tenants.map((t) => [t.id, t])),
    replay: createReplayCache(redis, prefix),
    audit: createAuditLog(auditRedis, prefix, clock),
    health: createHealthProbe({ clock }),
    verifyVoucher: createVoucherVerifier(config.auth.leewaySeconds),
    metrics: createMetrics({ defaultMetrics: init.defaultMetrics }),
    logger,
    clock,
    async close() {
      await Promise.allSettled([redis.quit(), auditRedis.quit()])
    },
  }
}
