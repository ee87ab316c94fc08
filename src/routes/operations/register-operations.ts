// Unsigned operational routes: health, metrics, Snodo's public keys, the contract and its docs page.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Scalar } from '@scalar/hono-api-reference'
import type { Hono } from 'hono'
import { Health } from '../../contracts/schemas.ts'
import type { Deps } from '../../deps.ts'
import { SnodoError } from '../../errors.ts'
import type { AppEnv } from '../app-env.ts'

export const contractPath = fileURLToPath(new URL('../../../openapi/snodo.v1.yaml', import.meta.url))
// The docs page loads Scalar's bundle from Snodo itself: no CDN, so /docs works offline and on-premise.
const scalarBundlePath = fileURLToPath(new URL('browser/standalone.js', import.meta.resolve('@scalar/api-reference')))

export function registerOperations(app: Hono<AppEnv>, deps: Deps) {
  const contract = readFileSync(contractPath, 'utf8')
  let scalarBundle: Buffer | undefined
  const identity = { role: deps.role, mode: deps.config.mode }

  app.get('/health/live', (c) => c.json(Health.parse({ status: 'live', ...identity })))
  app.get('/health/ready', async (c) => {
    const redisUp = await deps.redis.ping().then(
      () => true,
      () => false,
    )
    if (!redisUp) throw new SnodoError('service_unavailable', 'Redis does not answer')
    return c.json(Health.parse({ status: 'ready', ...identity }))
  })
  app.get('/metrics', async (c) => c.text(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }))
  app.get('/.well-known/jwks.json', (c) => c.json(deps.keys.jwks(), 200, { 'cache-control': 'public, max-age=300' }))
  app.get('/openapi/v1.yaml', (c) => c.body(contract, 200, { 'content-type': 'application/yaml; charset=utf-8' }))
  app.get(
    '/docs',
    Scalar({
      url: '/openapi/v1.yaml',
      pageTitle: 'Snodo v1',
      cdn: '/docs/scalar.js',
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      showDeveloperTools: 'never',
    }),
  )
  app.get('/docs/scalar.js', (c) => {
    scalarBundle ??= readFileSync(scalarBundlePath)
    return c.body(new Uint8Array(scalarBundle), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' })
  })
  return app
}
