import type { Hono } from 'hono'
import { PingResult, RotateWebhookSecret, UpdateWebhookEndpoint, WebhookEndpoint, WebhookEndpointWithSecret } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateJson } from '../../validate.ts'
import { endpointView } from '../views.ts'
import { endpointOrThrow } from './read-webhook-endpoints.ts'

const path = '/:endpointId'

/** updateWebhookEndpoint, deleteWebhookEndpoint, rotateWebhookSecret and pingWebhookEndpoint. */
export function registerChangeWebhookEndpoint(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'endpoints' | 'config' | 'events'>) {
  const write = requireScope('webhooks:write', deps)

  app.patch(path, write, audited('webhook-endpoint.update', deps), validateJson(UpdateWebhookEndpoint), async (c) => {
    const [tenantId, endpointId] = [tenantIdOf(c), c.req.param('endpointId')]
    const patch = c.req.valid('json')
    const changes = {
      ...patch,
      ...(patch.events ? { events: [...new Set(patch.events)] } : {}),
      ...(patch.enabled === false ? { disabledReason: 'disabled by the portal' } : {}),
    }
    // update answers nothing for a missing endpoint: the lookup then says so with a 404.
    const updated = (await deps.endpoints.update(tenantId, endpointId, changes)) ?? (await endpointOrThrow(deps, tenantId, endpointId))
    return c.json(WebhookEndpoint.parse(endpointView(updated, deps.endpoints)))
  })

  app.delete(path, write, audited('webhook-endpoint.delete', deps), async (c) => {
    const [tenantId, endpointId] = [tenantIdOf(c), c.req.param('endpointId')]
    if (!(await deps.endpoints.remove(tenantId, endpointId))) await endpointOrThrow(deps, tenantId, endpointId)
    return c.body(null, 204)
  })

  app.post(`${path}/rotate-secret`, write, audited('webhook-endpoint.rotate-secret', deps), validateJson(RotateWebhookSecret), async (c) => {
    const [tenantId, endpointId] = [tenantIdOf(c), c.req.param('endpointId')]
    const overlap = c.req.valid('json').overlapSeconds ?? deps.config.webhooks.secretOverlapSeconds
    const rotated = (await deps.endpoints.rotateSecret(tenantId, endpointId, overlap)) ?? (await endpointOrThrow(deps, tenantId, endpointId))
    return c.json(WebhookEndpointWithSecret.parse({ ...endpointView(rotated, deps.endpoints), secret: rotated.secrets[0]?.value }))
  })

  app.post(`${path}/ping`, write, audited('webhook-endpoint.ping', deps), async (c) => {
    const [tenantId, endpointId] = [tenantIdOf(c), c.req.param('endpointId')]
    // The endpoint just read goes to publish as it is: one read per ping, not two.
    const endpoint = await endpointOrThrow(deps, tenantId, endpointId)
    const { event, deliveryIds } = await deps.events.publish(tenantId, 'webhook.ping', { endpointId }, { endpoint })
    return c.json(PingResult.parse({ eventId: event.id, deliveryIds }), 202, { Location: `/v1/deliveries/${deliveryIds[0]}` })
  })
}
