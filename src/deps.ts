// The one composition root: builds every dependency from the validated config, once.
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { type AuditLog, createAuditLog } from './audit/audit-log.ts'
import type { Config, RuntimeEnv } from './config.ts'
import type { TenantConfig } from './config-schema.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { type AppIoClient, createAppIoClient } from './adapters/appio/client.ts'
import type { AppIoPort } from './adapters/appio/port.ts'
import { createEventFeed, type EventFeed } from './events/event-feed.ts'
import { type BatchStore, createBatchStore } from './messages/batches/batch-store.ts'
import { createMessageBatches, type MessageBatches } from './messages/batches/message-batches.ts'
import { createMessageStore, type MessageStore } from './messages/message.ts'
import { createHealthProbe, type HealthProbe } from './platforms/health.ts'
import { createCircuitBreaker, type CircuitBreaker } from './queues/circuit-breaker.ts'
import { createDeliveryStore, type DeliveryStore } from './queues/delivery-store.ts'
import { createDeliveryEngine, type DeliveryEngine } from './queues/engine.ts'
import { createPauses, type Pauses } from './queues/pauses.ts'
import { createTokenBucket, type TokenBucket } from './queues/rate-limit.ts'
import { createReplayBatches, type ReplayBatches } from './queues/replay-batches.ts'
import { type ClientRegistry, createClientRegistry } from './trust/clients.ts'
import { createKeyRing, type KeyRing } from './trust/key-ring.ts'
import { createReplayCache, type ReplayCache } from './trust/replay-cache.ts'
import { createVoucherVerifier, type VoucherVerifier } from './trust/verify-voucher.ts'
import { createEndpointStore, type EndpointStore } from './webhooks/endpoint-store.ts'
import { createUrlGuard, type UrlGuard } from './webhooks/url-guard.ts'

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
  deliveries: DeliveryStore
  engine: DeliveryEngine
  events: EventFeed
  endpoints: EndpointStore
  pauses: Pauses
  bucket: TokenBucket
  breaker: CircuitBreaker
  replayBatches: ReplayBatches
  urlGuard: UrlGuard
  messages: MessageStore
  batches: BatchStore
  messageBatches: MessageBatches
  /** The App IO client for a tenant's configured base URL (one pooled client per URL). */
  appio(tenant: TenantConfig): AppIoPort
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
  // BullMQ wants its own connection that never gives up on a command (maxRetriesPerRequest: null).
  const queueRedis = redis.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null })
  // ioredis reconnects by itself; without a listener its errors would be printed as unhandled.
  for (const connection of [redis, auditRedis, queueRedis]) connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (reconnecting)'))
  await Promise.all([redis.connect(), auditRedis.connect(), queueRedis.connect()])
  const keys = await createKeyRing(config.signing.keysDir)
  const clock = init.clock ?? (() => new Date())
  const audit = createAuditLog(auditRedis, prefix, clock)
  const deliveries = createDeliveryStore(redis, prefix, clock)
  const engine = createDeliveryEngine({ connection: queueRedis, redis, prefix, store: deliveries })
  const endpoints = createEndpointStore(redis, prefix, clock)
  const messages = createMessageStore(redis, prefix, clock)
  const batches = createBatchStore(redis, prefix)
  const appioClients = new Map<string, AppIoClient>()
  const appio = (tenant: TenantConfig) => {
    const baseUrl = tenant.platforms.appio?.baseUrl as string
    let client = appioClients.get(baseUrl)
    if (!client) appioClients.set(baseUrl, (client = createAppIoClient({ baseUrl, timeoutMs: config.delivery.targets.appio?.timeoutMs })))
    return client
  }
  return {
    config,
    env,
    role: init.role ?? 'all',
    redis,
    keys,
    clients: createClientRegistry(config.clients),
    tenants: new Map(config.tenants.map((t) => [t.id, t])),
    replay: createReplayCache(redis, prefix),
    audit,
    health: createHealthProbe({ clock }),
    verifyVoucher: createVoucherVerifier(config.auth.leewaySeconds),
    metrics: createMetrics({ defaultMetrics: init.defaultMetrics }),
    deliveries,
    engine,
    events: createEventFeed({ redis, prefix, engine, endpoints, clock }),
    endpoints,
    pauses: createPauses(redis, prefix),
    bucket: createTokenBucket(redis, prefix),
    breaker: createCircuitBreaker(redis, prefix),
    replayBatches: createReplayBatches({ redis, prefix, store: deliveries, engine, audit, clock }),
    urlGuard: createUrlGuard({ mode: config.mode, allowedPrivate: config.webhooks.allowedPrivate }),
    messages,
    batches,
    messageBatches: createMessageBatches({ batches, messages, engine, clock }),
    appio,
    logger,
    clock,
    async close() {
      await engine.close()
      await Promise.allSettled([...appioClients.values()].map((c) => c.close()))
      await Promise.allSettled([redis.quit(), auditRedis.quit(), queueRedis.quit()])
    },
  }
}
