import type { Hono } from 'hono'
import type { Deps } from '../../../deps.ts'
import { type AppEnv, tenantIdOf } from '../../app-env.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { messageOf, messageView } from './message-view.ts'

export function registerGetMessage(app: Hono<AppEnv>, deps: Pick<Deps, 'clients' | 'audit' | 'messages' | 'deliveries'>) {
  return app.get('/:messageId', requireScope('messages:read', deps), async (c) =>
    c.json(await messageView(deps, await messageOf(deps, tenantIdOf(c), c.req.param('messageId')))),
  )
}
