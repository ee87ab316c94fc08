// Runs Snodo as a real process (`node src/main.ts`, what `npm start` runs) with its own home,
// port and Redis prefix, and cleans up after it.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { readEnv } from '../../src/config.ts'
import { freePort } from '../../src/sandbox/private-redis.ts'

export const repoRoot = new URL('../../', import.meta.url).pathname

export type SnodoProcess = {
  child: ChildProcess
  baseUrl: string
  home: string
  prefix: string
  output(): string
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export async function startSnodo(options: { env?: Record<string, string>; args?: string[]; waitReady?: boolean } = {}): Promise<SnodoProcess> {
  const home = options.env?.SNODO_HOME ?? mkdtempSync(join(tmpdir(), 'snodo-e2e-'))
  const port = await freePort()
  const prefix = `e2e-${randomUUID().slice(0, 8)}`
  const child = spawn(process.execPath, ['src/main.ts', ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'test', PORT: String(port), SNODO_HOME: home, SNODO_REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const baseUrl = `http://127.0.0.1:${port}`
  const snodo: SnodoProcess = {
    child,
    baseUrl,
    home,
    prefix,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      const code = await exited
      await dropKeys(prefix)
      if (!options.env?.SNODO_HOME) rmSync(home, { recursive: true, force: true })
      return code
    },
  }
  if (options.waitReady !== false) await waitReady(snodo)
  return snodo
}

async function waitReady(snodo: SnodoProcess) {
  for (let i = 0; i < 200; i++) {
    if (snodo.child.exitCode !== null) throw new Error(`Snodo exited early:\n${snodo.output()}`)
    const ready = await fetch(`${snodo.baseUrl}/health/ready`).then((r) => r.ok, () => false)
    if (ready) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`Snodo did not become ready:\n${snodo.output()}`)
}

async function dropKeys(prefix: string) {
  const redis = new Redis(readEnv().REDIS_URL)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
}
