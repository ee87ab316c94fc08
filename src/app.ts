// createApp(deps): the whole HTTP surface, no listen. Tests drive it with app.request().
import { randomUUID } from 'node:crypto'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { requestId } from 'hono/request-id'
import { matchedRoutes } from 'hono/route'
import type { Deps } from './deps.ts'
import { SnodoError } from './errors.ts'
import type { AppEnv } from './routes/app-env.ts'
import { accessLog } from './routes/middleware/access-log.ts'
import { authenticate } from './routes/middleware/authenticate.ts'
import { tenantAccess } from './routes/middleware/authorize.ts'
import { bodyIntegrity } from './routes/middleware/body-integrity.ts'
import { limitBody, limitDeclaredLength } from './routes/middleware/body-limit.ts'
import { idempotency } from './routes/middleware/idempotency.ts'
import { noSniff } from './routes/middleware/no-sniff.ts'
import { createErrorHandler, notFound, problemResponse } from './routes/middleware/problems.ts'
import { signResponse } from './routes/middleware/sign-response.ts'
import { registerOperations } from './routes/operations/register-operations.ts'
import { registerNodoEndpoint } from './routes/pagopa/nodo-endpoint.ts'
import { registerListAudit } from './routes/v1/audit/list-audit.ts'
import { registerCitizenTimeline } from './routes/v1/citizens/timeline.ts'
import { registerReadDeliveries } from './routes/v1/deliveries/read-deliveries.ts'
import { registerGetReplayBatch, registerReplayDeliveries } from './routes/v1/deliveries/replay-deliveries.ts'
import { registerDocuments } from './routes/v1/documents/documents.ts'
import { registerListEvents } from './routes/v1/events/list-events.ts'
import { registerCreateMessage } from './routes/v1/messages/create-message.ts'
import { registerGetMessage } from './routes/v1/messages/get-message.ts'
import { registerMessageBatches } from './routes/v1/messages/message-batches.ts'
import { registerPayments } from './routes/v1/payments/payments.ts'
import { registerPausePlatform } from './routes/v1/platforms/pause-platform.ts'
import { registerPractices } from './routes/v1/practices/practices.ts'
import { registerEchoSignedRequest } from './routes/v1/tenants/echo-signed-request.ts'
import { registerGetTenant } from './routes/v1/tenants/get-tenant.ts'
import { registerChangeWebhookEndpoint } from './routes/v1/webhook-endpoints/change-webhook-endpoint.ts'
import { registerCreateWebhookEndpoint } from './routes/v1/webhook-endpoints/create-webhook-endpoint.ts'
import { registerReadWebhookEndpoints } from './routes/v1/webhook-endpoints/read-webhook-endpoints.ts'

/** A resource's sub-app, mounted at `path`; `createLimit`, when set, limits the body of a POST to `path` itself. */
type Mount = { path: string; routes: Hono<AppEnv>; createLimit?: MiddlewareHandler<AppEnv> }

/** One sub-app with these routes on it: each register function takes only the dependencies it names. */
function subApp(deps: Deps, ...registers: ((app: Hono<AppEnv>, deps: Deps) => unknown)[]) {
  const routes = new Hono<AppEnv>()
  for (const register of registers) register(routes, deps)
  return routes
}

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
        problemResponse(
          c,
          new SnodoError('method_not_allowed', `${c.req.method} is not allowed here; use ${methods.join(', ')}`, { headers: { allow: methods.join(', ') } }),
        ),
    }),
  )
  registerOperations(app, deps)
  // With mTLS the station endpoint has a listener of its own (station-listener.ts): here it is a 404.
  if (!config.nodoEndpoint?.mtls) registerNodoEndpoint(app, deps)

  const tenant = '/v1/tenants/:tenantId'
  // Batches of recipients are the one body allowed to be larger than the rest. A document upload is
  // streamed by its route, which counts the bytes itself: nothing may read its body before it.
  const mounts: Mount[] = [
    { path: tenant, routes: subApp(deps, registerGetTenant, registerEchoSignedRequest) },
    { path: `${tenant}/webhook-endpoints`, routes: subApp(deps, registerCreateWebhookEndpoint, registerReadWebhookEndpoints, registerChangeWebhookEndpoint) },
    { path: `${tenant}/documents`, routes: subApp(deps, registerDocuments), createLimit: limitDeclaredLength(config.documents.maxBytes) },
    { path: `${tenant}/practices`, routes: subApp(deps, registerPractices) },
    { path: `${tenant}/citizens`, routes: subApp(deps, registerCitizenTimeline) },
    { path: `${tenant}/payments`, routes: subApp(deps, registerPayments) },
    { path: `${tenant}/messages`, routes: subApp(deps, registerCreateMessage, registerGetMessage) },
    { path: `${tenant}/message-batches`, routes: subApp(deps, registerMessageBatches), createLimit: limitBody(config.limits.batchBodyBytes) },
    { path: `${tenant}/events`, routes: subApp(deps, registerListEvents) },
    { path: '/v1/deliveries', routes: subApp(deps, registerReadDeliveries, registerReplayDeliveries) },
    { path: '/v1/replay-batches', routes: subApp(deps, registerGetReplayBatch) },
    { path: '/v1/platforms', routes: subApp(deps, registerPausePlatform) },
    { path: '/v1/audit', routes: subApp(deps, registerListAudit) },
  ]
  // Where the limits sit: before authentication, so an oversized body is refused before it is read.
  // A create with a limit of its own is matched by the router as its route is (the same method and
  // path pattern); every other /v1 body, unknown paths too, takes the common limit.
  const ownLimit = new Set(mounts.flatMap((m) => (m.createLimit ? [m.path] : [])))
  const hasOwnLimit = (c: Context<AppEnv>) => c.req.method === 'POST' && matchedRoutes(c).some((r) => r.method === 'POST' && ownLimit.has(r.path))
  const bodyLimit = limitBody(config.limits.bodyBytes)
  app.use('/v1/*', (c, next) => (hasOwnLimit(c) ? next() : bodyLimit(c, next)))
  for (const m of mounts) if (m.createLimit) app.post(m.path, m.createLimit)
  app.use('/v1/*', authenticate({ ...deps, policy, tenant: (id) => deps.tenants.get(id) }))
  app.use('/v1/*', bodyIntegrity({ clients: deps.clients, replay: deps.replay, policy }))
  const access = tenantAccess({ ...deps, tenantExists: (id) => deps.tenants.has(id) })
  app.use('/v1/tenants/:tenantId', access)
  app.use('/v1/tenants/:tenantId/*', access)
  app.use('/v1/*', idempotency({ redis: deps.redis, prefix: deps.env.SNODO_REDIS_PREFIX, ttlSeconds: config.idempotency.ttlSeconds }))

  for (const m of mounts) app.route(m.path, m.routes)
  return app
}
