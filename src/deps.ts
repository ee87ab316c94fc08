// The one composition root: builds every dependency from the validated config, once.

import { resolve } from 'node:path'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { type AppIoClient, createAppIoClient } from './adapters/appio/client.ts'
import type { AppIoPort } from './adapters/appio/port.ts'
import { type ClientTls, createPooledAgent } from './adapters/http/agent.ts'
import { createCheckoutClient } from './adapters/pagopa/checkout/client.ts'
import { createGpdClient } from './adapters/pagopa/gpd/client.ts'
import type { CheckoutPort, GpdPort } from './adapters/pagopa/port.ts'
import { createProtocolloClient, type ProtocolloClient } from './adapters/protocollo/client.ts'
import type { ProtocolPort } from './adapters/protocollo/port.ts'
import { type ProtocolSettings, resolveProtocolProfile } from './adapters/protocollo/profiles/index.ts'
import { createSupplierClient, type SupplierClient } from './adapters/supplier/client.ts'
import type { SupplierPort } from './adapters/supplier/port.ts'
import { resolveSupplierProfile } from './adapters/supplier/profiles/index.ts'
import { type AuditLog, createAuditLog } from './audit/audit-log.ts'
import { createTimeline, type Timeline } from './citizens/timeline.ts'
import type { MutualTls, TenantConfig } from './config/schema.ts'
import { type Config, type RuntimeEnv, readMutualTls } from './config.ts'
import { createDocumentStore, type DocumentStore } from './documents/document-store.ts'
import { createEventFeed, type EventFeed } from './events/event-feed.ts'
import { type BatchStore, createBatchStore } from './messages/batches/batch-store.ts'
import { createMessageBatches, type MessageBatches } from './messages/batches/message-batches.ts'
import { createMessageStore, type MessageStore } from './messages/message.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { createPaymentStore, type PaymentStore } from './payments/payment.ts'
import { createPaymentFlow, type PaymentFlow } from './payments/payment-flow.ts'
import { createPaymentOutcomes, type PaymentOutcomes } from './payments/payment-outcomes.ts'
import { createStation, type Station } from './payments/station.ts'
import { createHealthProbe, type HealthProbe } from './platforms/health.ts'
import { createPracticeStore, type PracticeStore } from './practices/practice.ts'
import { createPracticeMessages, type PracticeMessages } from './practices/practice-messages.ts'
import { type CircuitBreaker, createCircuitBreaker } from './queues/circuit-breaker.ts'
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
  /** Platform clients for a tenant's configured base URLs (one pooled client per URL). */
  appio(tenant: TenantConfig): AppIoPort
  gpd(tenant: TenantConfig): GpdPort
  checkout(tenant: TenantConfig): CheckoutPort
  payments: PaymentStore
  paymentOutcomes: PaymentOutcomes
  paymentFlow: PaymentFlow
  station: Station
  protocol(tenant: TenantConfig): ProtocolPort
  /** The SOAP service of the supplier a service routes to (routing mode soap). */
  supplier(tenant: TenantConfig, serviceCode: string): SupplierPort
  practices: PracticeStore
  practiceMessages: PracticeMessages
  timeline: Timeline
  documents: DocumentStore
  logger: Logger
  clock: () => Date
  close(): Promise<void>
}

/** A platform's `tls` read from its secret references (checked at start-up by config.ts), once per client. */
const clientTls = (tls: MutualTls | undefined): ClientTls | undefined => tls && readMutualTls(tls)

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
  // BullMQ wants its own connection that never gives up on a command (maxRetriesPerRequest: null).
  const queueRedis = redis.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null })
  // ioredis reconnects by itself; without a listener its errors would be printed as unhandled.
  for (const connection of [redis, queueRedis]) connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (reconnecting)'))
  await Promise.all([redis.connect(), queueRedis.connect()])
  const keys = await createKeyRing(config.signing.keysDir)
  const clock = init.clock ?? (() => new Date())
  const audit = createAuditLog(redis, prefix, clock)
  const deliveries = createDeliveryStore(redis, prefix, clock)
  const engine = createDeliveryEngine({ connection: queueRedis, prefix, store: deliveries })
  const endpoints = createEndpointStore(redis, prefix, clock)
  const messages = createMessageStore(redis, prefix, clock)
  const batches = createBatchStore(redis, prefix)
  const clients: { close(): Promise<void> }[] = []
  // One pooled client per URL and client certificate: tenants sharing both share the pool.
  const perUrl = <C extends { close(): Promise<void> }>(create: (baseUrl: string, tls?: ClientTls) => C) => {
    const byUrl = new Map<string, C>()
    return (baseUrl: string, tls?: MutualTls): C => {
      const key = JSON.stringify([baseUrl, tls?.cert, tls?.key, tls?.ca])
      let client = byUrl.get(key)
      if (!client) {
        byUrl.set(key, (client = create(baseUrl, clientTls(tls))))
        clients.push(client)
      }
      return client
    }
  }
  // The health probe presents a platform's certificate too, from a small pool per certificate.
  const probeAgent = perUrl((_: string, tls) => createPooledAgent({ connections: 2, tls }))
  const timeoutMs = (target: 'appio' | 'pagopa') => config.delivery.targets[target]?.timeoutMs
  const appioAt = perUrl((baseUrl, tls): AppIoClient => createAppIoClient({ baseUrl, timeoutMs: timeoutMs('appio'), tls }))
  const gpdAt = perUrl((baseUrl, tls) => createGpdClient({ baseUrl, timeoutMs: timeoutMs('pagopa'), tls }))
  const checkoutAt = perUrl((baseUrl, tls) => createCheckoutClient({ baseUrl, timeoutMs: timeoutMs('pagopa'), tls }))
  const tenants = new Map(config.tenants.map((t) => [t.id, t]))
  const timeline = createTimeline(redis, prefix)
  const protocolClients = new Map<string, ProtocolloClient>()
  const protocol = (tenant: TenantConfig) => {
    let client = protocolClients.get(tenant.id)
    if (!client) {
      // Checked at start-up (config.ts): here the settings are known to resolve.
      const resolved = resolveProtocolProfile(tenant.platforms.backoffice?.protocol as ProtocolSettings)
      if (!resolved.success) throw new Error(`tenant ${tenant.id}: ${resolved.problems.join('; ')}`)
      protocolClients.set(tenant.id, (client = createProtocolloClient(resolved.profile, { tls: clientTls(tenant.platforms.backoffice?.tls) })))
      clients.push(client)
    }
    return client
  }
  const supplierClients = new Map<string, SupplierClient>()
  const supplier = (tenant: TenantConfig, serviceCode: string) => {
    const key = `${tenant.id}|${serviceCode}`
    let client = supplierClients.get(key)
    if (!client) {
      const routing = tenant.platforms.backoffice?.services.find((s) => s.serviceCode === serviceCode)?.routing
      if (routing?.mode !== 'soap') throw new Error(`tenant ${tenant.id}: service ${serviceCode} does not route to a SOAP service`)
      // Checked at start-up (config.ts): here the routing is known to resolve.
      const resolved = resolveSupplierProfile(routing)
      if (!resolved.success) throw new Error(`tenant ${tenant.id}, service ${serviceCode}: ${resolved.problems.join('; ')}`)
      supplierClients.set(key, (client = createSupplierClient(resolved.profile)))
      clients.push(client)
    }
    return client
  }
  const payments = createPaymentStore(redis, prefix, clock)
  const events = createEventFeed({ redis, prefix, engine, endpoints, clock, retentionSeconds: config.events.retentionSeconds })
  const checkout = (t: TenantConfig) => checkoutAt(t.platforms.pagopa?.checkoutUrl ?? (t.platforms.pagopa?.baseUrl as string), t.platforms.pagopa?.tls)
  const paymentOutcomes = createPaymentOutcomes({ events, messages, engine, tenants, timeline })
  const paymentFlow = createPaymentFlow({ payments, outcomes: paymentOutcomes, engine, clock, checkout })
  return {
    config,
    env,
    role: init.role ?? 'all',
    redis,
    keys,
    clients: createClientRegistry(config.clients),
    tenants,
    replay: createReplayCache(redis, prefix),
    audit,
    health: createHealthProbe({ clock, dispatcherFor: (tls) => probeAgent('health', tls) }),
    verifyVoucher: createVoucherVerifier(config.auth.leewaySeconds),
    metrics: createMetrics({ defaultMetrics: init.defaultMetrics }),
    deliveries,
    engine,
    events,
    endpoints,
    pauses: createPauses(redis, prefix),
    bucket: createTokenBucket(redis, prefix),
    breaker: createCircuitBreaker(redis, prefix),
    replayBatches: createReplayBatches({ redis, prefix, store: deliveries, engine, audit, clock }),
    urlGuard: createUrlGuard({ mode: config.mode, allowedPrivate: config.webhooks.allowedPrivate }),
    messages,
    batches,
    messageBatches: createMessageBatches({ batches, messages, engine, clock, timeline }),
    appio: (tenant) => appioAt(tenant.platforms.appio?.baseUrl as string, tenant.platforms.appio?.tls),
    gpd: (tenant) => gpdAt(tenant.platforms.pagopa?.baseUrl as string, tenant.platforms.pagopa?.tls),
    checkout,
    payments,
    paymentOutcomes,
    paymentFlow,
    station: createStation({ tenants, payments, expireIfDue: paymentFlow.expireIfDue, outcomes: paymentOutcomes }),
    protocol,
    supplier,
    practices: createPracticeStore(redis, prefix, clock),
    practiceMessages: createPracticeMessages({ messages, engine, tenants, timeline }),
    timeline,
    documents: createDocumentStore({ redis, prefix, dir: config.documents.dir ?? resolve(env.SNODO_HOME, 'documents'), clock }),
    logger,
    clock,
    async close() {
      await engine.close()
      await Promise.allSettled([...new Set(clients)].map((c) => c.close()))
      await Promise.allSettled([redis.quit(), queueRedis.quit()])
    },
  }
}
