import type { Hono } from 'hono'
import { CreateMessage } from '../../../contracts/message-schemas.ts'
import type { Deps } from '../../../deps.ts'
import { acceptMessages } from '../../../messages/accept-message.ts'
import { serviceName } from '../../../messages/io-services.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { audited } from '../../middleware/audited.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { commandId } from '../../middleware/idempotency.ts'
import { validateJson } from '../../validate.ts'
import { messageView } from './message-view.ts'

export function registerCreateMessage(
  app: Hono<AppEnv>,
  deps: Pick<Deps, 'clients' | 'audit' | 'tenants' | 'messages' | 'engine' | 'timeline' | 'deliveries'>,
) {
  return app.post('/', requireScope('messages:write', deps), audited('message.create', deps), validateJson(CreateMessage), async (c) => {
    const tenant = deps.tenants.get(tenantIdOf(c)) as NonNullable<ReturnType<Deps['tenants']['get']>>
    const { payment, ...body } = c.req.valid('json')
    // Under an Idempotency-Key, every attempt names the same message: accepting it again sends nothing twice.
    const id = commandId(c, 'msg')
    const service = serviceName(tenant, body.service)
    const [message] = await acceptMessages(deps, tenant.id, [
      {
        id,
        ...body,
        service,
        ...(payment ? { payment: { noticeNumber: payment.noticeNumber, amountCents: payment.amount, invalidAfterDueDate: payment.invalidAfterDueDate } } : {}),
      },
    ])
    if (!message) throw new Error(`message ${id} was accepted without its record`)
    return c.json(await messageView(deps, message), 202, { Location: `/v1/tenants/${tenant.id}/messages/${id}` })
  })
}
