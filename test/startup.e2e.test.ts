// Start-up and shutdown as an operator meets them: wrong configurations, refusals, roles, Redis
// fitness for live mode, signals. Each test runs its own `node src/main.ts`.
import { rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSnodoClient } from '../src/client/index.ts'
import { freePort, redisAnswers } from '../src/sandbox/private-redis.ts'
import { livePublicUrl, writeLiveConfig, writeWrongConfig } from './support/live-config.ts'
import { startRedisServer } from './support/redis-server.ts'
import { exitOf, startSnodo, until } from './support/sandbox-process.ts'

let live: Awaited<ReturnType<typeof writeLiveConfig>>
const dirs: string[] = []
beforeAll(async () => {
  live = await writeLiveConfig()
  dirs.push(live.dir)
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m)

describe('refusals', () => {
  it('a wrong SNODO_CONFIG: exit 1, every problem listed with its path on stderr, no stack trace', async () => {
    const wrong = await writeWrongConfig()
    dirs.push(wrong.dir)
    const { code, stdout, stderr } = await exitOf({ env: { SNODO_CONFIG: wrong.path } })
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toBe([`Snodo cannot start: ${wrong.path} is not valid:`, ...wrong.problems.map((p) => `  - ${p}`), ''].join('\n'))
    noStackTrace(stderr)
  })

  it('NODE_ENV=production without SNODO_CONFIG refuses the sandbox', async () => {
    const { code, stderr } = await exitOf({ env: { NODE_ENV: 'production' } })
    expect(code).toBe(1)
    expect(stderr).toBe('Snodo cannot start: Sandbox mode is refused with NODE_ENV=production: set SNODO_CONFIG to a real configuration\n')
  })

  it('a port already in use: one clear line after the clean-ups (the private Redis stopped), exit 1, no banner, no stack trace', async () => {
    const squatter = await occupyPort()
    const port = (squatter.address() as { port: number }).port
    // No Redis answering either, so the sandbox starts a private one: it must not outlive the refusal.
    const missingRedis = `redis://127.0.0.1:${await freePort()}`
    try {
      const { code, stdout, stderr } = await exitOf({ env: { PORT: String(port), REDIS_URL: missingRedis } })
      expect(code).toBe(1)
      expect(stderr).toBe(`Snodo cannot start: port ${port} is in use (set PORT)\n`)
      expect(stdout).not.toContain('Snodo is running')
      noStackTrace(stdout + stderr)
      const privateRedis = /started a private one for the sandbox at (redis:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] as string
      expect(privateRedis).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
      await until(async () => !(await redisAnswers(privateRedis)))
      expect(await redisAnswers(privateRedis)).toBe(false)
    } finally {
      await new Promise((done) => squatter.close(done))
    }
  })

  it('--role bogus is refused', async () => {
    const { code, stderr } = await exitOf({ args: ['--role', 'bogus'] })
    expect(code).toBe(1)
    expect(stderr).toBe('Snodo cannot start: --role is not valid:\n  - role: must be one of all, api, worker\n')
  })
})

describe('live mode and Redis', () => {
  // Throwaway redis-servers make both outcomes deterministic whatever the machine's own Redis is.
  it('refuses a Redis without AOF and with an evicting policy, naming both', async () => {
    const unfit = await startRedisServer({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' })
    try {
      const { code, stderr } = await exitOf({ env: { SNODO_CONFIG: live.path, REDIS_URL: unfit.url } })
      expect(code).toBe(1)
      expect(stderr).toBe(
        [
          'Snodo cannot start: Redis is not fit for live mode:',
          '  - maxmemory-policy is "allkeys-lru": set it to noeviction, or Redis may evict queued jobs and idempotency records',
          '  - AOF is off: set appendonly yes, or a Redis restart loses accepted commands',
          '',
        ].join('\n'),
      )
    } finally {
      await unfit.stop()
    }
  })

  it('starts in LIVE mode on a Redis with AOF and noeviction, and serves its configured client', async () => {
    const fit = await startRedisServer({ appendonly: 'yes', 'maxmemory-policy': 'noeviction' })
    try {
      const snodo = await startSnodo({ env: { SNODO_CONFIG: live.path, REDIS_URL: fit.url } })
      expect(snodo.stdout()).toContain(
        `Snodo is running in LIVE mode (role all) on port ${new URL(snodo.baseUrl).port}\n  API docs:     ${livePublicUrl}/docs\n`,
      )
      const portal = createSnodoClient({ baseUrl: snodo.baseUrl, audience: livePublicUrl, clientId: 'portale', privateJwk: live.client.privateJwk })
      const tenant = await portal.get('/v1/tenants/comune-a')
      expect(tenant.status).toBe(200)
      expect(tenant.verification).toEqual({ verified: true, kid: live.signingKid })
      expect(await snodo.stop()).toBe(0)
    } finally {
      await fit.stop()
    }
  })

  it('the sandbox, with no Redis answering, starts a private one under SNODO_HOME and stops it on exit', async () => {
    const missingRedis = `redis://127.0.0.1:${await freePort()}`
    const snodo = await startSnodo({ env: { REDIS_URL: missingRedis } })
    const url = /started a private one for the sandbox at (redis:\/\/127\.0\.0\.1:\d+)/.exec(snodo.stdout())?.[1] as string
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
    expect((await fetch(`${snodo.baseUrl}/health/ready`)).status).toBe(200)
    expect(await snodo.stop()).toBe(0)
    await until(async () => !(await redisAnswers(url)))
    expect(await redisAnswers(url)).toBe(false)
  })
})

describe('roles and signals', () => {
  it('--role worker starts, serves no HTTP, says so instead of advertising URLs, and SIGTERM ends it with exit 0', async () => {
    const worker = await startSnodo({ args: ['--role', 'worker'], waitReady: false })
    await worker.waitForOutput('Snodo is running in SANDBOX mode (role worker)')
    expect(worker.stdout()).toContain('Snodo is running in SANDBOX mode (role worker): a worker, no HTTP server')
    expect(worker.stdout()).not.toMatch(/API docs|Health:|\/docs|\/health\//)
    await expect(fetch(`${worker.baseUrl}/health/live`)).rejects.toThrow('fetch failed')
    expect(await worker.stop('SIGTERM')).toBe(0)
  })

  it('SIGTERM stops a serving instance with exit 0, within SNODO_SHUTDOWN_MS (past it the exit code is 1)', async () => {
    const api = await startSnodo({ args: ['--role', 'api'], env: { SNODO_SHUTDOWN_MS: '5000', LOG_LEVEL: 'info' } })
    expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200)
    expect(await api.stop('SIGTERM')).toBe(0)
    expect(api.output()).toContain('"msg":"shutting down"')
    expect(api.output()).not.toContain('shutdown took too long')
  })

  it('SIGTERM to `npm start` reaches Snodo: it shuts down gracefully and leaves no process behind', async () => {
    const api = await startSnodo({ viaNpm: true, args: ['--role', 'api'], env: { SNODO_SHUTDOWN_MS: '5000', LOG_LEVEL: 'info' } })
    expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200)
    await api.stop('SIGTERM')
    await api.waitForOutput('"msg":"shutting down"')
    expect(api.output()).toContain('"msg":"shutting down"')
    await until(
      async () =>
        !(await fetch(`${api.baseUrl}/health/live`).then(
          () => true,
          () => false,
        )),
    )
  })
})

/** A listener on a free loopback port, as another program holding Snodo's port would be. */
function occupyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}
