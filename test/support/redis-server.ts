// A throwaway redis-server with chosen settings, to show how Snodo judges a Redis it is given, and to
// crash and restart it (same port, same data directory) under a running Snodo.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, redisAnswers } from '../../src/sandbox/private-redis.ts'
import { until } from './sandbox-process.ts'

export type RedisServer = {
  url: string
  /** Stops this redis-server with `signal` (SIGKILL: a crash) and waits for it to exit; the data directory stays. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port and data directory, after a kill. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export async function startRedisServer(settings: Record<string, string>): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'snodo-redis-'))
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...Object.entries(settings).flatMap(([k, v]) => [`--${k}`, v])]
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess
  let exited: Promise<void>
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' })
    exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    await until(() => redisAnswers(url))
    if (!(await redisAnswers(url))) throw new Error(`redis-server ${args.join(' ')} did not answer`)
  }
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  await start()
  return {
    url,
    kill,
    restart: start,
    async stop() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
