import type { Hono } from 'hono'
import { WebhookEndpoint, WebhookEndpointList } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import type { AppEnv } from '../../app-env.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { endpointView } from '../views.ts'

export async function endpointOrThrow(deps: Deps, tenantId: string, endpointId: string) {
  const endpoint = await deps.endpoints.get(tenantId, endpointId)
  if (!endpoint) throw new SnodoError('not_found', `No webhook endpoint ${endpointId} for tenant ${tenantId}`)
  return endpoint
}

/** listWebhookEndpoints and getWebhookEndpoint: secrets are never shown after creation. */
export function registerReadWebhookEndpoints(app: Hono<AppEnv>, deps: Deps) {
  app.get('/v1/tenants/:tenantId/webhook-endpoints', requireScope('webhooks:read', deps), async (c) => {
    const items = (await deps.endpoints.list(c.req.param('tenantId'))).map((e) => endpointView(e, deps.endpoints))
    return c.json(WebhookEndpointList.parse({ items }))
  })
  app.get('/v1/tenants/:tenantId/webhook-endpoints/:endpointId', requireScope('webhooks:read', deps), async (c) => {
    const endpoint = await endpointOrThrow(deps, c.req.param('tenantId'), c.req.param('endpointId'))
    return c.json(WebhookEndpoint.parse(endpointView(endpoint, deps.endpoints)))
  })
}
