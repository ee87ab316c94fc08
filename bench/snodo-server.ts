// Snodo's whole app, as `npm start` serves it, on real Redis with a prefix of its own and the
// benchmark client registered (public JWK in BENCH_PUBLIC_JWK). It prints {"port"} once it listens
// and, on SIGTERM or when the orchestrator goes away, deletes its Redis keys and its temp directory.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JWK } from 'jose'
import { readEnv, validateConfig } from '../src/config.ts'
import { createDeps } from '../src/deps.ts'
import { createLogger } from '../src/logger.ts'
import { rotateKey } from '../src/trust/key-ring.ts'
import { scopes } from '../src/trust/scopes.ts'
import { deleteKeys } from './delivery/common.ts'
import { serveBenchApp } from './serve-app.ts'

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
serveBenchApp(deps, {
  async cleanUp() {
    await deleteKeys(deps.redis, `${env.SNODO_REDIS_PREFIX}:*`)
    rmSync(home, { recursive: true, force: true })
  },
})
