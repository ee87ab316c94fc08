// What every platform simulator shares: an injected clock and id source (deterministic in tests),
// a log of what it received, and a loopback HTTP server speaking the platform's protocol.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { MiddlewareHandler } from 'hono'

export type ReceivedRequest = { at: string; method: string; path: string; headers: Record<string, string>; body: string }

export type SimulatorContext = {
  clock: () => Date
  nextId: () => string
  received: ReceivedRequest[]
}

/** Sequential ids with a prefix: the same run always produces the same ids. */
export function sequentialIds(prefix: string): () => string {
  let n = 0
  return () => `${prefix}${String(++n).padStart(6, '0')}`
}

export function createSimulatorContext(init: Partial<Pick<SimulatorContext, 'clock' | 'nextId'>> & { idPrefix?: string } = {}): SimulatorContext {
  return { clock: init.clock ?? (() => new Date()), nextId: init.nextId ?? sequentialIds(init.idPrefix ?? 'sim-'), received: [] }
}

/** Records each request before the simulator answers it, so tests can prove what reached the platform. */
export function recordRequests(context: SimulatorContext): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body ? await c.req.raw.clone().text() : ''
    context.received.push({ at: context.clock().toISOString(), method: c.req.method, path: c.req.path, headers: Object.fromEntries(c.req.raw.headers), body })
    await next()
  }
}

export type RunningSimulator = { url: string; close(): Promise<void> }

/** Serves any fetch handler (a simulator, or Snodo itself in tests) on loopback. */
export function startSimulator(app: { fetch: (request: Request) => Response | Promise<Response> }, options: { port?: number } = {}): Promise<RunningSimulator> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port ?? 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}
