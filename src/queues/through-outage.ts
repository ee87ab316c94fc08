// A write that must not be lost to a Redis blip of a few seconds: what it keeps exists nowhere else
// yet (the id a platform just gave for something it accepted, with no idempotency key to find it by
// again). Retried in place while Redis is unreachable, up to a bound; anything else fails at once.
import { isInfrastructureError } from '../errors.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `write`, again while it fails for our infrastructure (errors.ts), for up to `forMs`. */
export async function throughOutage<T>(write: () => Promise<T>, forMs = 20_000): Promise<T> {
  const until = Date.now() + forMs
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      return await write()
    } catch (error) {
      if (!isInfrastructureError(error) || Date.now() + wait > until) throw error
      await sleep(wait)
    }
  }
}
