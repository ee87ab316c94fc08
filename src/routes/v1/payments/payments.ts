import type { Hono } from 'hono'
import { CheckoutRedirect, CheckoutRequest, CreatePayment } from '../../../contracts/payment-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { serviceName } from '../../../messages/io-services.ts'
import { acceptPayment } from '../../../payments/accept-payment.ts'
import type { AppContext, AppEnv } from '../../app-env.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { commandId } from '../../middleware/idempotency.ts'
import { validateJson } from '../../validate.ts'
import { paymentView } from './payment-view.ts'

const path = '/v1/tenants/:tenantId/payments'
const tenantOf = (deps: Deps, c: AppContext) => deps.tenants.get(c.req.param('tenantId') as string) as NonNullable<ReturnType<Deps['tenants']['get']>>

/** createPayment, getPayment, checkoutPayment and cancelPayment. */
export function registerPayments(app: Hono<AppEnv>, deps: Deps) {
  const write = requireScope('payments:write', deps)

  app.post(path, write, audited('payment.create', deps), validateJson(CreatePayment), async (c) => {
    const tenant = tenantOf(deps, c)
    const { notify, ...request } = c.req.valid('json')
    // The IO service is checked now: a portal learns of a wrong name at once, not after publication.
    const notifyIo = notify?.io ? { service: serviceName(tenant, notify.io.service, 'notify.io.service') } : undefined
    const id = await acceptPayment(deps, tenant, { ...request, ...(notifyIo ? { notifyIo } : {}) }, commandId(c, 'pay'))
    return c.json(await paymentView(deps, await deps.paymentFlow.paymentOf(tenant.id, id)), 202, { Location: `/v1/tenants/${tenant.id}/payments/${id}` })
  })

  app.get(`${path}/:paymentId`, requireScope('payments:read', deps), async (c) => c.json(await paymentView(deps, await deps.paymentFlow.paymentOf(c.req.param('tenantId'), c.req.param('paymentId')))))

  app.post(`${path}/:paymentId/checkout`, write, audited('payment.checkout', deps), validateJson(CheckoutRequest), async (c) => {
    const redirect = await deps.paymentFlow.checkout(tenantOf(deps, c), c.req.param('paymentId'), c.req.valid('json'))
    return c.json(CheckoutRedirect.parse(redirect))
  })

  app.post(`${path}/:paymentId/cancel`, write, audited('payment.cancel', deps), async (c) => {
    const payment = await deps.paymentFlow.cancel(tenantOf(deps, c), c.req.param('paymentId'))
    return c.json(await paymentView(deps, payment), 202, { Location: `/v1/tenants/${c.req.param('tenantId')}/payments/${payment.id}` })
  })
}
