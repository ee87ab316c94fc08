import type { Hono } from 'hono'
import type { Deps } from '../../../deps.ts'
import type { AppEnv } from '../../app-env.ts'
import { requireScope } from '../../middleware/authorize.ts'
import { messageView } from './message-view.ts'

export function registerGetMessage(app: Hono<AppEnv>, deps: Deps) {
  return app.get('/v1/tenants/:tenantId/messages/:messageId', requireScope('messages:read', deps), async (c) => c.json(await messageView(deps, c.req.param('tenantId'), c.req.param('messageId'))))
}
