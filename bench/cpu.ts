// CPU seconds used so far by a process (Linux /proc) and by the Redis server (INFO cpu), so that each
// round can say how much CPU one request cost: a figure the host's speed drift moves far less than req/s.
import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'

const ticksPerSecond = 100 // USER_HZ on Linux

export function processCpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the "(comm)" part: state is 3rd overall, utime 14th, stime 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ')
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
  } catch {
    return Number.NaN
  }
}

export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN)
  return value('used_cpu_user') + value('used_cpu_sys')
}
