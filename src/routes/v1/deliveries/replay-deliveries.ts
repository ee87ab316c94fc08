import type { Hono } from 'hono'
import { ReplayBatch, ReplayDeliveries, ReplayDelivery, ReplayPreview } from '../../../contracts/delivery-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { SnodoError } from '../../../errors.ts'
import { type AppEnv, callerOf } from '../../app-env.ts'
import { parseInstant } from '../../instant.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { validateJson } from '../../validate.ts'
import { assertMayActFor, tenantsOf } from '../tenant-scope.ts'
import { deliveryView } from '../views.ts'
import { visibleDelivery } from './read-deliveries.ts'

/** A bulk replay fixes at most this many deliveries; narrow the filter for more. */
const maxPerBatch = 100_000

/** replayDelivery and replayDeliveries: operator actions, each one audited. */
export function registerReplayDeliveries(
  app: Hono<AppEnv>,
  deps: Pick<Deps, 'clients' | 'audit' | 'config' | 'clock' | 'deliveries' | 'replayBatches' | 'engine'>,
) {
  const replay = requireScope('deliveries:replay', deps)

  app.post('/replay', replay, audited('deliveries.replay-bulk', deps), validateJson(ReplayDeliveries), async (c) => {
    const { filter, reason, dryRun } = c.req.valid('json')
    const clientId = callerOf(c).clientId
    const allowed = tenantsOf(deps, clientId)
    if (filter.tenant) assertMayActFor(allowed, filter.tenant)
    c.set('auditTenant', filter.tenant)
    c.set('auditDetail', reason)
    const now = deps.clock()
    const since = filter.since === undefined ? undefined : parseInstant(filter.since, now)
    const until = filter.until === undefined ? undefined : parseInstant(filter.until, now)
    if ((filter.since && !since) || (filter.until && !until))
      throw new SnodoError('validation_failed', 'since and until are ISO 8601 instants or durations like 2h', {
        errors: [{ path: 'filter.since', message: 'an ISO 8601 instant or a duration like 90s, 15m, 2h, 7d' }],
      })
    const ids = await deps.replayBatches.match(
      { target: filter.platform, tenant: filter.tenant, tenants: allowed, operation: filter.operation, errorCode: filter.errorCode, since, until },
      maxPerBatch,
    )
    if (ids.length === 0) throw new SnodoError('replay_filter_matches_nothing', 'No dead delivery matches this filter; nothing was replayed')
    if (dryRun) return c.json(ReplayPreview.parse({ dryRun: true, matched: ids.length, sample: ids.slice(0, 20) }))
    const batch = await deps.replayBatches.create({
      ids,
      reason,
      requestedBy: clientId,
      filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<string, string>,
    })
    return c.json(ReplayBatch.parse(batch), 202, { Location: `/v1/replay-batches/${batch.id}` })
  })

  app.post('/:deliveryId/replay', replay, audited('delivery.replay', deps), validateJson(ReplayDelivery), async (c) => {
    const delivery = await visibleDelivery(c, deps, c.req.param('deliveryId'))
    c.set('auditTenant', delivery.tenant)
    c.set('auditDetail', c.req.valid('json').reason)
    const result = await deps.engine.replay(delivery.id)
    if (!result.ok) throw new SnodoError('delivery_not_dead', `Delivery ${delivery.id} is ${result.status ?? 'gone'}; only a dead delivery can be replayed`)
    return c.json(deliveryView(result.delivery), 202, { Location: `/v1/deliveries/${delivery.id}` })
  })
}

/** getReplayBatch, on the replay-batches sub-app. */
export function registerGetReplayBatch(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'config' | 'replayBatches'>) {
  app.get('/:batchId', requireScope('deliveries:read', deps), async (c) => {
    const batch = await deps.replayBatches.get(c.req.param('batchId'))
    // A batch is its requester's, or visible to a client allowed for every tenant.
    if (!batch || (batch.requestedBy !== callerOf(c).clientId && tenantsOf(deps, callerOf(c).clientId) !== undefined)) {
      throw new SnodoError('not_found', `No replay batch ${c.req.param('batchId')}`)
    }
    return c.json(ReplayBatch.parse(batch))
  })
}
