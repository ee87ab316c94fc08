import type { Hono } from 'hono'
import { CheckoutRedirect, CheckoutRequest, CreatePayment } from '../../../contracts/payment-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { serviceName } from '../../../messages/io-services.ts'
import { acceptPayment } from '../../../payments/accept-payment.ts'
import { type AppContext, type AppEnv, tenantIdOf } from '../../app-env.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { commandId } from '../../middleware/idempotency.ts'
import { validateJson } from '../../validate.ts'
import { paymentView } from './payment-view.ts'

type PaymentsDeps = Pick<Deps, 'clients' | 'audit' | 'tenants' | 'paymentFlow' | 'deliveries' | 'payments' | 'engine' | 'timeline' | 'clock'>
const tenantOf = (deps: Pick<Deps, 'tenants'>, c: AppContext) => deps.tenants.get(tenantIdOf(c)) as NonNullable<ReturnType<Deps['tenants']['get']>>

/** createPayment, getPayment, checkoutPayment and cancelPayment, on the payments sub-app. */
export function registerPayments(app: Hono<AppEnv>, deps: PaymentsDeps) {
  const write = requireScope('payments:write', deps)

  app.post('/', write, audited('payment.create', deps), validateJson(CreatePayment), async (c) => {
    const tenant = tenantOf(deps, c)
    const { notify, ...request } = c.req.valid('json')
    // The IO service is checked now: a portal learns of a wrong name at once, not after publication.
    const notifyIo = notify?.io ? { service: serviceName(tenant, notify.io.service, 'notify.io.service') } : undefined
    const payment = await acceptPayment(deps, tenant, { ...request, ...(notifyIo ? { notifyIo } : {}) }, commandId(c, 'pay'))
    // An accept run again later answers the payment as stored: its expiry may have come since.
    return c.json(await paymentView(deps, await deps.paymentFlow.expireIfDue(payment)), 202, { Location: `/v1/tenants/${tenant.id}/payments/${payment.id}` })
  })

  app.get('/:paymentId', requireScope('payments:read', deps), async (c) =>
    c.json(await paymentView(deps, await deps.paymentFlow.paymentOf(tenantIdOf(c), c.req.param('paymentId')))),
  )

  app.post('/:paymentId/checkout', write, audited('payment.checkout', deps), validateJson(CheckoutRequest), async (c) => {
    const redirect = await deps.paymentFlow.checkout(tenantOf(deps, c), c.req.param('paymentId'), c.req.valid('json'))
    return c.json(CheckoutRedirect.parse(redirect))
  })

  app.post('/:paymentId/cancel', write, audited('payment.cancel', deps), async (c) => {
    const payment = await deps.paymentFlow.cancel(tenantOf(deps, c), c.req.param('paymentId'))
    return c.json(await paymentView(deps, payment), 202, { Location: `/v1/tenants/${tenantIdOf(c)}/payments/${payment.id}` })
  })
}
