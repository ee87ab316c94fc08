// Runs Snodo as a real process (`node src/main.ts`, what `npm start` runs) with its own home, port
// and Redis key prefix, and cleans up after it. Sandbox mode unless the test passes SNODO_CONFIG.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { readEnv } from '../../src/config.ts'
import { freePort } from '../../src/sandbox/private-redis.ts'
import { poll } from './poll.ts'

export const repoRoot = new URL('../../', import.meta.url).pathname

export type SnodoProcess = {
  child: ChildProcess
  baseUrl: string
  home: string
  prefix: string
  stdout(): string
  stderr(): string
  /** stdout and stderr interleaved as they arrived. */
  output(): string
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>
  /** Waits until the output contains `text` `times` times (log lines are the process's only signal). */
  waitForOutput(text: string, times?: number): Promise<void>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** viaNpm: run `npm start` (the README's run command) instead of node directly. */
type StartOptions = { env?: Record<string, string>; args?: string[]; waitReady?: boolean; viaNpm?: boolean }

export async function startSnodo(options: StartOptions = {}): Promise<SnodoProcess> {
  const home = options.env?.SNODO_HOME ?? mkdtempSync(join(tmpdir(), 'snodo-e2e-'))
  const port = await freePort()
  const prefix = `e2e-${randomUUID().slice(0, 8)}`
  // vitest runs on the project's Node 24, so its own binary can run the .ts entry point.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    SNODO_HOME: home,
    SNODO_REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...options.env,
  }
  if (!options.env?.SNODO_CONFIG) delete env.SNODO_CONFIG
  const [command, args] = options.viaNpm
    ? ['npm', ['start', '--silent', '--', ...(options.args ?? [])]]
    : [process.execPath, ['src/main.ts', ...(options.args ?? [])]]
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const text = { out: '', err: '', all: '' }
  child.stdout?.on('data', (chunk: Buffer) => {
    text.out += chunk
    text.all += chunk
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    text.err += chunk
    text.all += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const snodo: SnodoProcess = {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    home,
    prefix,
    stdout: () => text.out,
    stderr: () => text.err,
    output: () => text.all,
    exited,
    async waitForOutput(expected, times = 1) {
      await until(() => text.all.split(expected).length > times || child.exitCode !== null)
      if (text.all.split(expected).length <= times) throw new Error(`Snodo never printed "${expected}" ${times} time(s):\n${text.all}`)
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const code = await exited
      await dropKeys(prefix)
      if (!options.env?.SNODO_HOME) rmSync(home, { recursive: true, force: true })
      return code
    },
  }
  if (options.waitReady !== false) await waitReady(snodo)
  return snodo
}

/** Starts Snodo expecting it to refuse: resolves with its exit code and what it printed. */
export async function exitOf(options: StartOptions) {
  const snodo = await startSnodo({ ...options, waitReady: false })
  const code = await snodo.exited
  await snodo.stop()
  return { code, stdout: snodo.stdout(), stderr: snodo.stderr() }
}

async function waitReady(snodo: SnodoProcess) {
  const ready = () =>
    fetch(`${snodo.baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    )
  await until(async () => snodo.child.exitCode !== null || (await ready()))
  if (snodo.child.exitCode !== null) throw new Error(`Snodo exited early:\n${snodo.output()}`)
  if (!(await ready())) throw new Error(`Snodo did not become ready:\n${snodo.output()}`)
}

/** Polls a condition for up to 20 s; the caller then asserts, so a miss fails with a clear message. */
export async function until(condition: () => boolean | Promise<boolean>) {
  await poll(condition, { timeoutMs: 20_000, everyMs: 100 })
}

/** The keys this process wrote to the shared Redis (tests that point REDIS_URL elsewhere throw that Redis away). */
async function dropKeys(prefix: string) {
  const redis = new Redis(readEnv().REDIS_URL)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
}
