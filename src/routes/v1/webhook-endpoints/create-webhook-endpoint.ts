import type { Hono } from 'hono'
import { CreateWebhookEndpoint, WebhookEndpointWithSecret } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { commandId } from '../../middleware/idempotency.ts'
import { validateJson } from '../../validate.ts'
import { endpointView } from '../views.ts'

export function registerCreateWebhookEndpoint(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'endpoints' | 'urlGuard' | 'config'>) {
  return app.post('/', requireScope('webhooks:write', deps), audited('webhook-endpoint.create', deps), validateJson(CreateWebhookEndpoint), async (c) => {
    const tenantId = tenantIdOf(c)
    const body = c.req.valid('json')
    const id = commandId(c, 'we')
    // A retry of a create that was written before its process died answers that endpoint, not a second one.
    const existing = await deps.endpoints.get(tenantId, id)
    if (existing)
      return c.json(WebhookEndpointWithSecret.parse({ ...endpointView(existing, deps.endpoints), secret: existing.secrets[0]?.value }), 201, {
        Location: `/v1/tenants/${tenantId}/webhook-endpoints/${id}`,
      })
    const refusal = await deps.urlGuard.refusal(body.url)
    if (refusal) throw new SnodoError('validation_failed', `url ${refusal}`, { errors: [{ path: 'url', message: refusal }] })
    if ((await deps.endpoints.list(tenantId)).length >= deps.config.webhooks.maxEndpointsPerTenant) {
      throw new SnodoError(
        'endpoint_limit_reached',
        `A tenant may have at most ${deps.config.webhooks.maxEndpointsPerTenant} webhook endpoints; delete one first`,
      )
    }
    const endpoint = await deps.endpoints.create(tenantId, { url: body.url, events: [...new Set(body.events)], description: body.description ?? '' }, id)
    const view = WebhookEndpointWithSecret.parse({ ...endpointView(endpoint, deps.endpoints), secret: endpoint.secrets[0]?.value })
    return c.json(view, 201, { Location: `/v1/tenants/${tenantId}/webhook-endpoints/${endpoint.id}` })
  })
}
