// Start-up checks on Redis (design §1): it must answer; queues and the audit log need
// maxmemory-policy noeviction, and nothing-lost needs AOF. Live mode refuses, sandbox warns.
import type { Redis } from 'ioredis'

export async function redisProblems(redis: Redis, mode: 'live' | 'sandbox'): Promise<string[]> {
  const problems: string[] = []
  const policy = await configValue(redis, 'maxmemory-policy')
  if (policy !== undefined && policy !== 'noeviction') {
    problems.push(`maxmemory-policy is "${policy}": set it to noeviction, or Redis may evict queued jobs and idempotency records`)
  }
  if (mode === 'live') {
    const info = await redis.info('persistence')
    if (!/^aof_enabled:1/m.test(info)) problems.push('AOF is off: set appendonly yes, or a Redis restart loses accepted commands')
  }
  return problems
}

async function configValue(redis: Redis, name: string): Promise<string | undefined> {
  try {
    const [, value] = (await redis.config('GET', name)) as string[]
    return value
  } catch {
    return undefined // CONFIG may be renamed away on managed Redis: nothing to check then.
  }
}
