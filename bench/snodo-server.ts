// Snodo's whole app, as `npm start` serves it, on real Redis with a prefix of its own and the
// benchmark client registered (public JWK in BENCH_PUBLIC_JWK). It prints {"port"} once it listens
// and, on SIGTERM or when the orchestrator goes away, deletes its Redis keys and its temp directory.
import { mkdtempSync, rmSync } from 'node:fs'
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

const env = readEnv() // SNODO_REDIS_PREFIX, REDIS_URL and LOG_LEVEL (silent) come from the orchestrator
const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK as string) as JWK
const home = mkdtempSync(join(tmpdir(), 'snodo-bench-'))
const keysDir = join(home, 'keys')
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
const deps = await createDeps({ config, env, logger: createLogger(env.LOG_LEVEL) })
const server = serve({ fetch: createApp(deps).fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  server.close()
  let cursor = '0'
  do {
    const [next, keys] = await deps.redis.scan(cursor, 'MATCH', `${env.SNODO_REDIS_PREFIX}:*`, 'COUNT', 1000)
    if (keys.length > 0) await deps.redis.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
  await deps.close()
  rmSync(home, { recursive: true, force: true })
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.stdin.on('end', () => void stop()) // the orchestrator died: clean up anyway
process.stdin.resume()
