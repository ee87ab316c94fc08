// The worker role: one BullMQ worker per delivery queue (each running the shared delivery processor
// with its target's handler), the replay-batch worker, and the sweeper. It sits beside the composition
// root (deps.ts), not in queues/: it is where every domain's processor meets the engine, so the engine
// itself knows no domain.
import { type Processor, Worker } from 'bullmq'
import type { Deps } from './deps.ts'
import { createMessageSender } from './messages/deliver-message.ts'
import { createCancellationSender, createPositionSender } from './payments/deliver-position.ts'
import { createPracticePusher } from './practices/push-practice.ts'
import { createPracticeRegistrar } from './practices/register-practice.ts'
import { createStepDocumentRegistrar } from './practices/register-step-documents.ts'
import { queueNames } from './queues/names.ts'
import { createDeliveryProcessor, type DeliveryHandler, type DeliveryHooks, tuningFor } from './queues/run-delivery.ts'
import { startSweeper } from './queues/sweeper.ts'
import { createWebhookSender } from './webhooks/send-webhook.ts'

const defaultConcurrency = 50

/** What the wiring hands the processors: the stores and ports each one names, the engine's own parts, config. */
type WorkerDeps = Pick<
  Deps,
  | 'config'
  | 'env'
  | 'logger'
  | 'clock'
  | 'metrics'
  | 'tenants'
  | 'engine'
  | 'deliveries'
  | 'pauses'
  | 'replayBatches'
  | 'events'
  | 'endpoints'
  | 'urlGuard'
  | 'messages'
  | 'messageBatches'
  | 'appio'
  | 'payments'
  | 'paymentOutcomes'
  | 'gpd'
  | 'practices'
  | 'practiceMessages'
  | 'documents'
  | 'timeline'
  | 'protocol'
  | 'supplier'
>

export async function startWorkers(deps: WorkerDeps, extraHandlers: DeliveryHandler[] = []): Promise<{ close(): Promise<void> }> {
  const { config, env } = deps
  const workerOptions = (concurrency: number) => ({
    connection: { url: env.REDIS_URL, maxRetriesPerRequest: null },
    prefix: env.SNODO_REDIS_PREFIX,
    concurrency,
    lockDuration: config.delivery.lockMs,
    // A dead worker's jobs are taken over only by the stalled check, which needs two runs to see an
    // expired lock; at BullMQ's default interval (30 s) that is up to a minute, whatever lockMs says.
    stalledInterval: config.delivery.lockMs,
    // A crashed worker's job is taken over, however often that happens: it is never failed for it.
    maxStalledCount: 1_000,
  })
  const webhooks = createWebhookSender({
    endpoints: deps.endpoints,
    guard: deps.urlGuard,
    clock: deps.clock,
    onEndpointDisabled: async (tenantId, endpointId, reason, dedupeKey) =>
      void (await deps.events.publish(tenantId, 'endpoint.disabled', { endpointId, reason }, { dedupeKey })),
  })
  // One event per death and per recovery (of each replay): a job taken over after a crash tells them again, as the same event.
  const hooks: DeliveryHooks = {
    dead: async (d, error) =>
      void (await deps.events.publish(
        d.tenant,
        'delivery.dead',
        { deliveryId: d.id, target: d.target, operation: d.operation, resourceId: d.resourceId, error },
        { dedupeKey: `${d.id}|dead|${d.replays}` },
      )),
    recovered: async (d) =>
      void (await deps.events.publish(
        d.tenant,
        'delivery.recovered',
        { deliveryId: d.id, target: d.target, operation: d.operation, resourceId: d.resourceId },
        { dedupeKey: `${d.id}|recovered|${d.replays}` },
      )),
    attempt: (d, outcome) => deps.metrics.deliveryAttempts.inc({ target: d.target, outcome }),
  }
  const processorDeps = { store: deps.deliveries, pauses: deps.pauses, config: config.delivery, hooks, clock: deps.clock }
  const messages = createMessageSender({
    messages: deps.messages,
    events: deps.events,
    tenants: deps.tenants,
    appio: deps.appio,
    outcomes: deps.messageBatches.outcomes,
    isCancelled: deps.messageBatches.isCancelled,
  })
  const pagopa = { payments: deps.payments, deliveries: deps.deliveries, outcomes: deps.paymentOutcomes, tenants: deps.tenants, gpd: deps.gpd }
  // A handler given by the caller replaces the built-in one of its queue (tests bring fakes).
  const practices = createPracticeRegistrar({
    practices: deps.practices,
    documents: deps.documents,
    events: deps.events,
    messages: deps.practiceMessages,
    engine: deps.engine,
    tenants: deps.tenants,
    protocol: deps.protocol,
  })
  const pushes = createPracticePusher({
    practices: deps.practices,
    documents: deps.documents,
    events: deps.events,
    tenants: deps.tenants,
    publicUrl: config.publicUrl,
    clock: deps.clock,
    supplier: deps.supplier,
  })
  const stepDocuments = createStepDocumentRegistrar({
    practices: deps.practices,
    documents: deps.documents,
    deliveries: deps.deliveries,
    events: deps.events,
    timeline: deps.timeline,
    tenants: deps.tenants,
    protocol: deps.protocol,
    clock: deps.clock,
  })
  const builtIn = [webhooks, messages, createPositionSender(pagopa), createCancellationSender(pagopa), practices, pushes, stepDocuments]
  const handlers = new Map([...builtIn, ...extraHandlers].map((h) => [h.operation, h]))
  const workers = [...handlers.values()].map((handler) => {
    const concurrency = tuningFor(config.delivery, handler.target).concurrency ?? defaultConcurrency
    return new Worker(handler.operation, createDeliveryProcessor(handler, processorDeps) as Processor, workerOptions(concurrency))
  })
  workers.push(new Worker(queueNames.replayBatches, deps.replayBatches.processor as Processor, workerOptions(2)))
  workers.push(new Worker(queueNames.messageBatches, deps.messageBatches.expand as Processor, workerOptions(2)))
  for (const worker of workers) worker.on('error', (err) => deps.logger.error({ err, queue: worker.name }, 'queue worker error'))
  await Promise.all(workers.map((w) => w.waitUntilReady()))
  const tenantIds = config.tenants.map((t) => t.id)
  const sweeper = startSweeper({
    ...{ store: deps.deliveries, engine: deps.engine, config: config.delivery },
    trimEvents: () => deps.events.trim(tenantIds),
    onError: (err) => deps.logger.error({ err }, 'sweeper failed'),
  })
  return {
    async close() {
      await sweeper.stop()
      await Promise.all(workers.map((w) => w.close()))
      await webhooks.close()
    },
  }
}
