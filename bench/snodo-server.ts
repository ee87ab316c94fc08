// Snodo's own app, as `npm start` serves it, with the benchmark client registered and its own Redis prefix.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import type { JWK } from 'jose'
import { createApp } from '../src/app.ts'
import { readEnv, validateConfig } from '../src/config.ts'
import { createDeps } from '../src/deps.ts'
import { createLogger } from '../src/logger.ts'
import { scopes } from '../src/scopes.ts'
import { rotateKey } from '../src/trust/key-ring.ts'

const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK as string) as JWK
const keysDir = join(mkdtempSync(join(tmpdir(), 'snodo-bench-')), 'keys')
await rotateKey(keysDir)
const config = validateConfig(
  {
    publicUrl: process.env.BENCH_AUDIENCE,
    signing: { keysDir },
    tenants: [{ id: 'comune-bench', name: 'Comune Bench', fiscalCode: '00000000000' }],
    clients: [{ id: 'bench-portal', jwks: { keys: [publicJwk] }, tenants: ['comune-bench'], scopes: [...scopes] }],
  },
  'live',
  'bench config',
)
const env = readEnv()
const deps = await createDeps({ config, env, logger: createLogger('silent') })
const server = serve({ fetch: createApp(deps).fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))

process.on('SIGTERM', async () => {
  server.close()
  const keys = await deps.redis.keys(`${env.SNODO_REDIS_PREFIX}:*`)
  if (keys.length > 0) await deps.redis.del(...keys)
  await deps.close()
  process.exit(0)
})
