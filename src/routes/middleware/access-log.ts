// One log line and one metrics sample per request, labelled by route pattern (never the raw path).
import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Logger } from 'pino'
import type { Metrics } from '../../metrics.ts'
import type { AppEnv } from '../app-env.ts'

export function accessLog(deps: { logger: Logger; metrics: Metrics }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now()
    await next()
    const ms = performance.now() - started
    // Label by the handler's pattern; unmatched paths share one label to keep cardinality bounded.
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched'
    deps.metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) })
    deps.metrics.latency.observe({ method: c.req.method, route }, ms / 1000)
    const caller = c.get('caller')
    deps.logger.info(
      {
        method: c.req.method,
        route,
        path: c.get('logPath') ?? c.req.path,
        status: c.res.status,
        ms: Math.round(ms * 10) / 10,
        client: caller?.clientId,
        tenant: /^\/v1\/tenants\/([^/]+)/.exec(c.req.path)?.[1],
        requestId: c.get('requestId'),
      },
      'request',
    )
  }
}
