// A throwaway redis-server with chosen settings, to show how Snodo judges a Redis it is given.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, redisAnswers } from '../../src/sandbox/private-redis.ts'
import { until } from './sandbox-process.ts'

export async function startRedisServer(settings: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'snodo-redis-'))
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...Object.entries(settings).flatMap(([k, v]) => [`--${k}`, v])]
  const child = spawn('redis-server', args, { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const url = `redis://127.0.0.1:${port}`
  await until(() => redisAnswers(url))
  if (!(await redisAnswers(url))) throw new Error(`redis-server ${args.join(' ')} did not answer`)
  return {
    url,
    async stop() {
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
