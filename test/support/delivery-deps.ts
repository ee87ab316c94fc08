// The real composition root (createDeps) for delivery-engine tests: a Redis of the test's choosing,
// a key prefix of its own, a throwaway signing key, and the delivery/webhooks tuning the test wants.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Config, readEnv, validateConfig } from '../../src/config.ts'
import { createDeps, type Deps } from '../../src/deps.ts'
import { createLogger } from '../../src/logger.ts'
import { rotateKey } from '../../src/trust/key-ring.ts'
import { poll } from './poll.ts'
import { aClientKey } from './test-app.ts'

export type DeliveryDepsOptions = {
  mode?: Config['mode']
  delivery?: Record<string, unknown>
  webhooks?: Record<string, unknown>
  redisUrl?: string
  prefix?: string
  /** Replaces comune-a's platforms (simulators on loopback…). */
  platforms?: Record<string, unknown>
}

export async function createDeliveryDeps(options: DeliveryDepsOptions = {}): Promise<{ deps: Deps; prefix: string; close(): Promise<void> }> {
  const prefix = options.prefix ?? `test-${randomUUID().slice(0, 8)}`
  const home = mkdtempSync(join(tmpdir(), 'snodo-delivery-'))
  const keysDir = join(home, 'keys')
  await rotateKey(keysDir)
  const ops = await aClientKey('ops')
  const raw = {
    publicUrl: 'https://snodo.test',
    signing: { keysDir },
    delivery: options.delivery ?? {},
    webhooks: options.webhooks ?? {},
    tenants: [
      { id: 'comune-a', name: 'Comune A', fiscalCode: '00000000001', ...(options.platforms ? { platforms: options.platforms } : {}) },
      { id: 'comune-b', name: 'Comune B', fiscalCode: '00000000002' },
    ],
    clients: [{ id: 'ops', jwks: { keys: [ops.publicJwk] }, tenants: ['*'], scopes: ['tenants:read'] }],
  }
  const config = validateConfig(raw, options.mode ?? 'sandbox', 'test config')
  const env = { ...readEnv({}), SNODO_REDIS_PREFIX: prefix, REDIS_URL: options.redisUrl ?? readEnv().REDIS_URL }
  const deps = await createDeps({ config, env, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') })
  return {
    deps,
    prefix,
    async close() {
      const keys = await deps.redis.keys(`${prefix}:*`)
      if (keys.length > 0) await deps.redis.del(...keys)
      await deps.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}

/** Polls until `condition` holds (errors count as "not yet": Redis may be restarting), then lets the test assert. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 50): Promise<void> {
  await poll(condition, { timeoutMs, everyMs, errorsMeanNo: true })
}
