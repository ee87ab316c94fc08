// Serves Snodo's whole app (createApp, as `npm start` serves it) from a benchmark's child process on a
// free loopback port: prints {"port", ...extra} once it listens; on SIGTERM, or when the orchestrator
// goes away (stdin ends), stops serving, runs `cleanUp`, closes its connections and exits.
import { serve } from '@hono/node-server'
import { createApp } from '../src/app.ts'
import type { Deps } from '../src/deps.ts'

export function serveBenchApp(deps: Deps, o: { extra?: object; cleanUp?: () => Promise<void> } = {}): void {
  const server = serve({ fetch: createApp(deps).fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port, ...o.extra })))
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    server.close()
    await o.cleanUp?.()
    await deps.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop())
  process.stdin.on('end', () => void stop())
  process.stdin.resume()
}
