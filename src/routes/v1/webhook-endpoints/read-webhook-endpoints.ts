import type { Hono } from 'hono'
import { WebhookEndpoint, WebhookEndpointList } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { endpointView } from '../views.ts'

export async function endpointOrThrow(deps: Pick<Deps, 'endpoints'>, tenantId: string, endpointId: string) {
  const endpoint = await deps.endpoints.get(tenantId, endpointId)
  if (!endpoint) throw new SnodoError('not_found', `No webhook endpoint ${endpointId} for tenant ${tenantId}`)
  return endpoint
}

/** listWebhookEndpoints and getWebhookEndpoint: secrets are never shown after creation. */
export function registerReadWebhookEndpoints(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'endpoints'>) {
  app.get('/', requireScope('webhooks:read', deps), async (c) => {
    const items = (await deps.endpoints.list(tenantIdOf(c))).map((e) => endpointView(e, deps.endpoints))
    return c.json(WebhookEndpointList.parse({ items }))
  })
  app.get('/:endpointId', requireScope('webhooks:read', deps), async (c) => {
    const endpoint = await endpointOrThrow(deps, tenantIdOf(c), c.req.param('endpointId'))
    return c.json(WebhookEndpoint.parse(endpointView(endpoint, deps.endpoints)))
  })
}
