// Start-up and shutdown as an operator meets them: wrong configurations, roles, Redis checks, signals.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { stringify } from 'yaml'
import { describe, expect, it } from 'vitest'
import { readEnv } from '../src/config.ts'
import { freePort, redisAnswers } from '../src/sandbox/private-redis.ts'
import { rotateKey } from '../src/trust/key-ring.ts'
import { startSnodo } from './support/snodo-process.ts'
import { aClientKey } from './support/test-app.ts'

const dir = mkdtempSync(join(tmpdir(), 'snodo-startup-'))

function writeConfig(name: string, config: object): string {
  const path = join(dir, name)
  writeFileSync(path, stringify(config))
  return path
}

async function aLiveConfig() {
  const keysDir = join(dir, 'keys')
  await rotateKey(keysDir)
  const client = await aClientKey('portale')
  return {
    publicUrl: 'https://snodo.comune.test',
    signing: { keysDir },
    tenants: [{ id: 'comune-a', name: 'Comune A', fiscalCode: '00000000001' }],
    clients: [{ id: 'portale', jwks: { keys: [client.publicJwk] }, tenants: ['comune-a'], scopes: ['tenants:read'] }],
  }
}

async function exitOf(options: Parameters<typeof startSnodo>[0]) {
  const snodo = await startSnodo({ ...options, waitReady: false })
  const code = await snodo.exited
  await snodo.stop()
  return { code, output: snodo.output() }
}

const noStackTrace = (output: string) => expect(output).not.toMatch(/\n\s+at /)

describe('a wrong configuration', () => {
  it('refuses to start and lists every problem with its path', async () => {
    const live = await aLiveConfig()
    const path = writeConfig('wrong.yaml', {
      ...live,
      publicUrl: 'not a url',
      tenants: [{ id: 'comune-a', name: 'Comune A', fiscalCode: '123', platforms: { appio: { baseUrl: 'https://io.test', services: [{ name: 'tributi', apiKey: 'env:SNODO_TEST_UNSET_KEY' }] } } }],
      clients: [{ ...live.clients[0], scopes: ['tenants:fly'] }],
    })
    const { code, output } = await exitOf({ env: { SNODO_CONFIG: path } })
    expect(code).toBe(1)
    expect(output).toContain(`Snodo cannot start: ${path} is not valid:`)
    expect(output).toMatch(/- publicUrl: /)
    expect(output).toContain('- tenants.0.fiscalCode: an 11-digit fiscal code')
    expect(output).toMatch(/- clients\.0\.scopes\.0: /)
    noStackTrace(output)
  })

  it('names unresolvable secrets and unknown tenants once the shape is right', async () => {
    const live = await aLiveConfig()
    const path = writeConfig('refs.yaml', {
      ...live,
      tenants: [{ ...live.tenants[0], platforms: { appio: { baseUrl: 'https://io.test', services: [{ name: 'tributi', apiKey: 'env:SNODO_TEST_UNSET_KEY' }] } } }],
      clients: [{ ...live.clients[0], tenants: ['comune-fantasma'] }],
    })
    const { code, output } = await exitOf({ env: { SNODO_CONFIG: path } })
    expect(code).toBe(1)
    expect(output).toContain('- clients.0.tenants.0: unknown tenant "comune-fantasma"')
    expect(output).toContain('- tenants.0.platforms.appio.services.0.apiKey: secret env:SNODO_TEST_UNSET_KEY cannot be resolved')
    noStackTrace(output)
  })
})

describe('refusals', () => {
  it('sandbox mode is refused in production', async () => {
    const { code, output } = await exitOf({ env: { NODE_ENV: 'production' } })
    expect(code).toBe(1)
    expect(output).toContain('Sandbox mode is refused with NODE_ENV=production')
  })

  it('an unknown role is refused', async () => {
    const { code, output } = await exitOf({ args: ['--role', 'bogus'] })
    expect(code).toBe(1)
    expect(output).toContain('role: must be one of all, api, worker')
  })

  it('live mode runs only on a Redis with AOF and noeviction', async () => {
    const path = writeConfig('live.yaml', await aLiveConfig())
    const redis = new Redis(readEnv().REDIS_URL)
    const fit = /^aof_enabled:1/m.test(await redis.info('persistence')) && (await redis.config('GET', 'maxmemory-policy'))[1] === 'noeviction'
    await redis.quit()
    if (fit) {
      const live = await startSnodo({ env: { SNODO_CONFIG: path } })
      expect(live.output()).toContain('Snodo is running in LIVE mode')
      expect(await live.stop()).toBe(0)
    } else {
      // The machine's Redis (appendonly no) is what a careless production set-up looks like.
      const { code, output } = await exitOf({ env: { SNODO_CONFIG: path } })
      expect(code).toBe(1)
      expect(output).toContain('Redis is not fit for live mode')
      expect(output).toMatch(/AOF is off|maxmemory-policy/)
    }
  })
})

describe('runtime', () => {
  it('--role worker serves no HTTP and stops cleanly on SIGTERM', async () => {
    const worker = await startSnodo({ args: ['--role', 'worker'], waitReady: false })
    for (let i = 0; i < 100 && !worker.output().includes('role worker'); i++) await new Promise((r) => setTimeout(r, 100))
    expect(worker.output()).toContain('Snodo is running in SANDBOX mode (role worker)')
    await expect(fetch(`${worker.baseUrl}/health/live`)).rejects.toThrow()
    expect(await worker.stop('SIGTERM')).toBe(0)
  })

  it('SIGTERM stops an api instance with exit code 0', async () => {
    const api = await startSnodo({ args: ['--role', 'api'] })
    expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200)
    expect(await api.stop('SIGTERM')).toBe(0)
  })

  it('with no Redis answering, the sandbox starts a private one under SNODO_HOME and says so', async () => {
    const missingRedis = `redis://127.0.0.1:${await freePort()}`
    const snodo = await startSnodo({ env: { REDIS_URL: missingRedis } })
    const url = /started a private one for the sandbox at (redis:\/\/[\d.:]+)/.exec(snodo.output())?.[1]
    expect(url).toBeDefined()
    expect((await fetch(`${snodo.baseUrl}/health/ready`)).status).toBe(200)
    expect(await snodo.stop()).toBe(0)
    for (let i = 0; i < 50 && (await redisAnswers(url as string)); i++) await new Promise((r) => setTimeout(r, 100))
    expect(await redisAnswers(url as string)).toBe(false)
  })
})
