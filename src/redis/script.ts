// Lua scripts sent by their hash: ioredis' defineCommand sends the text once per connection (EVAL),
// then EVALSHA, and falls back to EVAL when Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH).
// A script called on every delivery costs its whole text in the client and in Redis otherwise.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export type ScriptArg = string | number
export type RedisScript<R> = (...args: ScriptArg[]) => Promise<R>

/**
 * Defines `lua` on `redis` and answers the function that runs it. Defined at once, not on first use:
 * an auto-pipelined connection batches commands in pipelines that only know the scripts defined
 * before they were made.
 */
export function defineScript<R>(redis: Redis, name: string, lua: string, numberOfKeys = 0): RedisScript<R> {
  // The hash in the name: two different scripts never share a command, the same one is defined once.
  const command = `snodo_${name}_${createHash('sha1').update(lua).digest('hex').slice(0, 10)}`
  const client = redis as unknown as Record<string, RedisScript<R> | undefined>
  if (typeof client[command] !== 'function') redis.defineCommand(command, { lua, numberOfKeys })
  return (...args) => (client[command] as RedisScript<R>).call(redis, ...args)
}
