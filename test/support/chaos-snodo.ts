// Snodo as a chaos run deploys it: LIVE mode, one `--role api` and one `--role worker` process on an
// AOF Redis of the run's own (appendfsync always, noeviction), the tenant's platforms at the test's
// simulators, delivery retries and lock short so recovery takes seconds. Each part can be SIGKILLed
// and started again on the same port / data directory.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { freePort } from '../../src/sandbox/private-redis.ts'
import { chaosFiscalCode } from './chaos-platforms.ts'
import { writeLiveConfig } from './live-config.ts'
import { poll } from './poll.ts'
import { type RedisServer, startRedisServer } from './redis-server.ts'
import { type SnodoProcess, startSnodo } from './sandbox-process.ts'

export const chaosTenant = 'comune-a'

// Retries every ~second for half a minute: longer than any outage of a run, shorter than its wait.
const retry = { scheduleMs: [200, 500, ...Array<number>(28).fill(1000)], floorAfterThrottleMs: 500 }
const target = { retry, circuit: { failureThreshold: 5, cooldownMs: 500 }, timeoutMs: 5000 }
/** lockMs: a killed worker's jobs are taken over after ~3 s (not so short that a busy event loop looks dead). */
export const chaosDelivery = { lockMs: 3000, sweepIntervalMs: 500, targets: { webhooks: target, pagopa: target, appio: target, backoffice: target } }

const scopes = [
  'tenants:read',
  'payments:read',
  'payments:write',
  'messages:read',
  'messages:write',
  'practices:read',
  'practices:write',
  'events:read',
  'webhooks:read',
  'webhooks:write',
]

type Role = 'api' | 'worker'

export async function startChaosSnodo(o: { dir: string; platforms: Record<string, unknown>; receiverCaPath: string; prefix: string }) {
  const redis: RedisServer = await startRedisServer({ appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' })
  const live = await writeLiveConfig()
  const configPath = join(o.dir, 'snodo.yaml')
  const home = join(o.dir, 'home')
  mkdirSync(home, { recursive: true })
  writeFileSync(
    configPath,
    stringify({
      ...live.config,
      tenants: [{ id: chaosTenant, name: 'Comune A', fiscalCode: chaosFiscalCode, platforms: o.platforms }],
      clients: [{ id: live.client.clientId, jwks: { keys: [live.client.publicJwk] }, tenants: [chaosTenant], scopes }],
      delivery: chaosDelivery,
      webhooks: { allowedPrivate: ['127.0.0.1'] },
      // Nothing is paid in these runs; live mode wants the station endpoint closed all the same.
      nodoEndpoint: { allowFrom: ['127.0.0.1/32'] },
    }),
  )
  const port = await freePort()
  // Both processes share the home (uploaded documents), the Redis and its key prefix.
  const env = { SNODO_CONFIG: configPath, REDIS_URL: redis.url, SNODO_REDIS_PREFIX: o.prefix, SNODO_HOME: home, NODE_EXTRA_CA_CERTS: o.receiverCaPath }
  const processes: Partial<Record<Role, SnodoProcess>> = {}
  const start = async (role: Role) => {
    // startSnodo's own readiness check knows only the port it picked: the API's fixed one is checked here.
    const snodo = await startSnodo({ args: ['--role', role], env: { ...env, ...(role === 'api' ? { PORT: String(port) } : {}) }, waitReady: false })
    processes[role] = snodo
    await snodo.waitForOutput(`Snodo is running in LIVE mode (role ${role})`)
    const ready = () =>
      fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    if (role === 'api' && !(await poll(ready, { timeoutMs: 20_000, everyMs: 100 }))) throw new Error(`the API did not become ready:\n${snodo.output()}`)
    return snodo
  }
  const stopAll = async () => {
    for (const p of Object.values(processes)) await p?.stop('SIGKILL')
    await redis.stop()
  }
  try {
    await start('worker')
    await start('api')
  } catch (error) {
    // A start that fails half way leaves nothing running behind it.
    await stopAll()
    throw error
  }
  const exitedEarly: string[] = []
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    audience: live.config.publicUrl as string,
    client: live.client,
    redis,
    /** SIGKILL, then the same role again (the API on the same port). */
    async restart(role: Role) {
      await processes[role]?.stop('SIGKILL')
      await start(role)
    },
    /** Processes that ended although nobody killed them (with the tail of what they printed). */
    unexpectedExits() {
      for (const [role, p] of Object.entries(processes)) {
        if (p && p.child.exitCode !== null && !exitedEarly.some((e) => e.startsWith(role)))
          exitedEarly.push(`${role} exited with ${p.child.exitCode}: ${p.output().slice(-2000)}`)
      }
      return exitedEarly
    },
    close: stopAll,
  }
}
export type ChaosSnodo = Awaited<ReturnType<typeof startChaosSnodo>>
