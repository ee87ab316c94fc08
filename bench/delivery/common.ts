// Shared by the delivery benchmark's parts: child processes that print one JSON line when ready,
// bounded waits, key clean-up by prefix (SCAN + UNLINK) and small number helpers.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Redis } from 'ioredis'

export type Child<Info> = { name: string; child: ChildProcess; info: Info }

/** Every child started, so the watchdog and the final clean-up can stop them whatever happened. */
export const children = new Set<ChildProcess>()

/** Starts `node <script>`; resolves with the first line it prints (JSON) once it is ready. */
export async function startChild<Info>(name: string, script: string, env: Record<string, string>, timeoutMs = 20_000): Promise<Child<Info>> {
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [] // e.g. --cpu-prof --cpu-prof-dir=/tmp/prof
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s`)), timeoutMs)
    createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).once('line', (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line) as Info)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code} before it was ready`))
    })
  })
  return { name, child, info }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** What to close when the run is aborted (watchdog, signal), before its keys are deleted. */
export const abortHooks = new Set<() => Promise<unknown>>()

export function killAllChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/** Deletes every key matching `pattern` (SCAN + UNLINK); answers how many there were. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000)
    if (keys.length > 0) deleted += await redis.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
  return deleted
}

export async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0'
  let count = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000)
    count += keys.length
    cursor = next
  } while (cursor !== '0')
  return count
}

/** Runs `fn` but gives up (throws) after `ms`: each part of the run has a hard bound. */
export async function bounded<T>(label: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} took longer than its bound of ${ms / 1000} s`)), ms)
  })
  const work = fn()
  work.catch(() => undefined) // when the bound wins, the abandoned work's own failure must not crash the run
  try {
    return await Promise.race([work, limit])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls until `condition` holds; throws after `timeoutMs`. */
export async function waitUntil(label: string, condition: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const end = performance.now() + timeoutMs
  while (!(await condition())) {
    if (performance.now() > end) throw new Error(`${label}: not done after ${timeoutMs / 1000} s`)
    await sleep(everyMs)
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
}

export const median = (values: number[]) => {
  const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? Number.NaN)
}

/** MEMORY USAGE with every element counted (SAMPLES 0): exact, if slow on big keys. */
export async function keyBytes(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0)
}

export const pct = (x: number) => `${(x * 100).toFixed(0)} %`
export const n0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a')
export const verdict = (ok: boolean, target: string) => `target ${target}: ${ok ? 'met' : 'NOT met'}`

/** One line of a fixed-width table. */
export const row = (cells: string[], widths: number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0] ?? 24) : c.padStart(widths[i] ?? 10))).join('')
