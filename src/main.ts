// Process entry: config → deps → serve and/or workers; bounded graceful shutdown on SIGTERM/SIGINT.

import type { Server } from 'node:net'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { type Config, ConfigError, loadConfigFile, readEnv } from './config.ts'
import { createDeps, type Role } from './deps.ts'
import { createLogger } from './logger.ts'
import { redisProblems } from './redis/checks.ts'
import { answerClientErrors } from './routes/client-errors.ts'
import { startStationListener } from './routes/pagopa/station-listener.ts'
import { freePort, redisAnswers, redisServerAvailable, startPrivateRedis } from './sandbox/private-redis.ts'
import { type Sandbox, startSandbox } from './sandbox/sandbox.ts'
import { startWorkers } from './workers.ts'

const roles: Role[] = ['all', 'api', 'worker']

/** What start-up has set going (private Redis, simulators, connections, server), last first: run on shutdown and on a failed start. */
const cleanups: (() => Promise<void> | void)[] = []

async function main() {
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } } })
  const role = values.role as Role
  if (!roles.includes(role)) throw new ConfigError('--role', [{ path: 'role', message: `must be one of ${roles.join(', ')}` }])
  const env = readEnv()
  const logger = createLogger(env.LOG_LEVEL)

  const port = env.PORT === 0 ? await freePort() : env.PORT
  let config: Config
  let sandbox: Sandbox | undefined
  if (env.SNODO_CONFIG) {
    config = loadConfigFile(env.SNODO_CONFIG)
  } else {
    sandbox = await startSandbox({
      home: env.SNODO_HOME,
      publicUrl: `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`,
      nodeEnv: env.NODE_ENV,
    })
    cleanups.push(sandbox.close)
    config = sandbox.config
  }

  if (!(await redisAnswers(env.REDIS_URL))) {
    if (config.mode === 'live') throw new Error(`Redis does not answer at ${env.REDIS_URL}: start it or set REDIS_URL`)
    if (!redisServerAvailable()) {
      throw new Error(
        `Redis does not answer at ${env.REDIS_URL} and redis-server is not installed: install Redis (apt-get install redis-server) or set REDIS_URL`,
      )
    }
    const privateRedis = await startPrivateRedis(resolve(env.SNODO_HOME, 'redis'))
    cleanups.push(privateRedis.stop)
    console.log(`No Redis at ${env.REDIS_URL}: started a private one for the sandbox at ${privateRedis.url} (data in ${env.SNODO_HOME}/redis)`)
    env.REDIS_URL = privateRedis.url
  }

  const deps = await createDeps({ config, env, role, logger, defaultMetrics: true })
  cleanups.unshift(deps.close)
  const problems = await redisProblems(deps.redis, config.mode)
  if (problems.length > 0 && config.mode === 'live') throw new Error(`Redis is not fit for live mode:\n  - ${problems.join('\n  - ')}`)
  for (const problem of problems) logger.warn({ problem }, 'redis check (sandbox: continuing)')

  // A `snodo keys rotate` reaches running instances within 30 s, or at once on SIGHUP.
  const reloadKeys = async () => {
    try {
      await deps.keys.reload()
      return true
    } catch (err) {
      logger.error({ err }, 'signing keys reload failed: still signing with the keys loaded before')
      return false
    }
  }
  const reload = setInterval(reloadKeys, 30_000)
  process.on('SIGHUP', () => {
    void reloadKeys().then(
      (ok) => ok && logger.info({ kid: deps.keys.current().kid, published: deps.keys.jwks().keys.length }, 'SIGHUP: signing keys reloaded'),
    )
  })
  cleanups.push(() => clearInterval(reload))

  if (role !== 'worker') {
    const app = createApp(deps)
    const server = serve({ fetch: app.fetch, hostname: env.HOST, port })
    answerClientErrors(server, logger)
    await listening(server, env.HOST, port)
    cleanups.unshift(() => new Promise<void>((done) => server.close(() => done())))
    const station = await startStationListener(deps)
    if (station) cleanups.unshift(station.close)
    // The sandbox's office software calls the API: it starts once Snodo listens and stops before the server closes.
    if (sandbox) cleanups.unshift(sandbox.serving(logger))
  }
  if (role !== 'api') {
    const workers = await startWorkers(deps)
    cleanups.unshift(workers.close)
  }
  printBanner(config, role, port, sandbox)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      logger.error('shutdown took too long: exiting')
      process.exit(1)
    }, env.SNODO_SHUTDOWN_MS)
    for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch((err) => logger.error({ err }, 'cleanup failed'))
    clearTimeout(timer)
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

/** Resolves once the server listens; a listen error (port taken, address not ours) becomes a one-line reason. */
function listening(server: Server, host: string, port: number): Promise<void> {
  if (server.listening) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} is in use (set PORT)`))
      else if (error.code === 'EACCES') reject(new Error(`port ${port} needs privileges this process lacks (set PORT)`))
      else if (error.code === 'EADDRNOTAVAIL') reject(new Error(`${host} is not an address of this machine (set HOST)`))
      else reject(new Error(`cannot listen on ${host}:${port}: ${error.code ?? error.message}`))
    }
    server.once('listening', onListening)
    server.once('error', onError)
  })
}

function printBanner(config: Config, role: Role, port: number, sandbox?: Sandbox) {
  const base = config.publicUrl
  // A worker runs no HTTP server: advertising URLs would send people to a port nobody listens on.
  const lines =
    role === 'worker'
      ? [`Snodo is running in ${config.mode.toUpperCase()} mode (role worker): a worker, no HTTP server; it processes the queues`]
      : [
          `Snodo is running in ${config.mode.toUpperCase()} mode (role ${role}) on port ${port}`,
          `  API docs:     ${base}/docs`,
          `  Contract:     ${base}/openapi/v1.yaml`,
          `  Health:       ${base}/health/ready`,
        ]
  if (sandbox) {
    lines.push(`  Demo tenant:  ${config.tenants[0]?.id}`, `  Demo client:  ${sandbox.demoClientPath} (client ${config.clients[0]?.id}, every scope)`)
    if (role !== 'worker') lines.push(`  Try it:       npx snodo call GET /v1/tenants/${config.tenants[0]?.id}`)
    lines.push(...sandbox.simulators.map((s) => `  Simulator:    ${s.name.padEnd(6)} ${s.url}${s.note ? ` (${s.note})` : ''}`))
  }
  console.log(lines.join('\n'))
}

main().catch(async (error) => {
  // Undo what start-up had already set going (a private Redis must not outlive us), bounded and quietly.
  const cleaned = (async () => {
    for (const cleanup of cleanups)
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined)
  })()
  await Promise.race([cleaned, new Promise((done) => setTimeout(done, 5_000).unref())])
  // A wrong configuration or environment is the operator's to fix: say what, never a stack trace.
  console.error(error instanceof ConfigError || error instanceof Error ? `Snodo cannot start: ${error.message}` : error)
  process.exit(1)
})
