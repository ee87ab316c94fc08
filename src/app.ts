// createApp(deps): the whole HTTP surface, no listen. Tests drive it with app.request().
import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { requestId } from 'hono/request-id'
import type { Deps } from './deps.ts'
import { SnodoError } from './errors.ts'
import type { AppEnv } from './routes/app-env.ts'
import { accessLog } from './routes/middleware/access-log.ts'
import { authenticate } from './routes/middleware/authenticate.ts'
import { tenantAccess } from './routes/middleware/authorize.ts'
import { bodyIntegrity, isDocumentUpload } from './routes/middleware/body-integrity.ts'
import { limitBody, limitDeclaredLength } from './routes/middleware/body-limit.ts'
import { noSniff } from './routes/middleware/no-sniff.ts'
import { idempotency } from './routes/middleware/idempotency.ts'
import { createErrorHandler, notFound, problemResponse } from './routes/middleware/problems.ts'
import { signResponse } from './routes/middleware/sign-response.ts'
import { registerOperations } from './routes/operations/register-operations.ts'
import { registerNodoEndpoint } from './routes/pagopa/nodo-endpoint.ts'
import { registerListAudit } from './routes/v1/audit/list-audit.ts'
import { registerReadDeliveries } from './routes/v1/deliveries/read-deliveries.ts'
import { registerReplayDeliveries } from './routes/v1/deliveries/replay-deliveries.ts'
import { registerListEvents } from './routes/v1/events/list-events.ts'
import { registerCreateMessage } from './routes/v1/messages/create-message.ts'
import { registerGetMessage } from './routes/v1/messages/get-message.ts'
import { registerMessageBatches } from './routes/v1/messages/message-batches.ts'
import { registerCitizenTimeline } from './routes/v1/citizens/timeline.ts'
import { registerDocuments } from './routes/v1/documents/documents.ts'
import { registerPayments } from './routes/v1/payments/payments.ts'
import { registerPractices } from './routes/v1/practices/practices.ts'
import { registerPausePlatform } from './routes/v1/platforms/pause-platform.ts'
import { registerEchoSignedRequest } from './routes/v1/tenants/echo-signed-request.ts'
import { registerGetTenant } from './routes/v1/tenants/get-tenant.ts'
import { registerChangeWebhookEndpoint } from './routes/v1/webhook-endpoints/change-webhook-endpoint.ts'
import { registerCreateWebhookEndpoint } from './routes/v1/webhook-endpoints/create-webhook-endpoint.ts'
import { registerReadWebhookEndpoints } from './routes/v1/webhook-endpoints/read-webhook-endpoints.ts'

export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>()
  const { config } = deps
  const policy = { audience: config.publicUrl, leewaySeconds: config.auth.leewaySeconds, maxTokenLifetimeSeconds: config.auth.maxTokenLifetimeSeconds }

  app.onError(createErrorHandler(deps.logger))
  app.notFound(notFound)
  app.use(noSniff)
  app.use(requestId({ headerName: 'X-Request-Id', generator: () => randomUUID() }))
  app.use(accessLog(deps))
  // Outside methodNotAllowed, so that the 405 it puts in place of a /v1 404 is signed too.
  app.use('/v1/*', signResponse({ keys: deps.keys, issuer: config.publicUrl }))
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        problemResponse(c, new SnodoError('method_not_allowed', `${c.req.method} is not allowed here; use ${methods.join(', ')}`, { headers: { allow: methods.join(', ') } })),
    }),
  )
  registerOperations(app, deps)
  // With mTLS the station endpoint has a listener of its own (station-listener.ts): here it is a 404.
  if (!config.nodoEndpoint?.mtls) registerNodoEndpoint(app, deps)

  // Batches of recipients are the one body allowed to be larger than the rest. A document upload is
  // streamed by its route, which counts the bytes itself: nothing may read its body before it.
  const bodyLimit = limitBody(config.limits.bodyBytes)
  const batchBodyLimit = limitBody(config.limits.batchBodyBytes)
  const documentLimit = limitDeclaredLength(config.documents.maxBytes)
  app.use('/v1/*', (c, next) => {
    if (isDocumentUpload(c.req.method, c.req.path)) return documentLimit(c, next)
    return (c.req.method === 'POST' && /^\/v1\/tenants\/[^/]+\/message-batches$/.test(c.req.path) ? batchBodyLimit : bodyLimit)(c, next)
  })
  app.use('/v1/*', authenticate({ ...deps, policy, tenant: (id) => deps.tenants.get(id) }))
  app.use('/v1/*', bodyIntegrity({ clients: deps.clients, replay: deps.replay, policy }))
  const access = tenantAccess({ ...deps, tenantExists: (id) => deps.tenants.has(id) })
  app.use('/v1/tenants/:tenantId', access)
  app.use('/v1/tenants/:tenantId/*', access)
  app.use('/v1/*', idempotency({ redis: deps.redis, prefix: deps.env.SNODO_REDIS_PREFIX, ttlSeconds: config.idempotency.ttlSeconds }))

  registerGetTenant(app, deps)
  registerEchoSignedRequest(app, deps)
  registerCreateWebhookEndpoint(app, deps)
  registerReadWebhookEndpoints(app, deps)
  registerChangeWebhookEndpoint(app, deps)
  registerDocuments(app, deps)
  registerPractices(app, deps)
  registerCitizenTimeline(app, deps)
  registerPayments(app, deps)
  registerCreateMessage(app, deps)
  registerGetMessage(app, deps)
  registerMessageBatches(app, deps)
  registerListEvents(app, deps)
  registerReadDeliveries(app, deps)
  registerReplayDeliveries(app, deps)
  registerPausePlatform(app, deps)
  registerListAudit(app, deps)
  return app
}
