// What every platform simulator shares: an injected clock and id source (deterministic in tests),
// a log of what it received, and a loopback HTTP server speaking the platform's protocol.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { Context, MiddlewareHandler } from 'hono'

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

/** An answer a simulator gave, with the request it answered (the same object as in context.received). */
export type Answer = { request: ReceivedRequest; status: number; headers: Record<string, string>; body: string }

/** A simulator's log of answers and its outage switch, on the context's clock. */
export function answersAndOutage(context: SimulatorContext) {
  const answers: Answer[] = []
  let outageUntil = 0
  const down = () => context.clock().getTime() < outageUntil
  return {
    answers,
    /** Whether a simulated outage is under way. */
    down,
    outage(ms: number) {
      outageUntil = context.clock().getTime() + ms
      return { end: () => void (outageUntil = 0) }
    },
    /**
     * Keeps every answer with its request (after recordRequests). `whileDown`: what every call gets
     * during an outage instead of the app's answer; `after`: a last touch to each answer before it is kept.
     */
    middleware(o: { whileDown?: () => Response; after?: (c: Context) => void } = {}): MiddlewareHandler {
      return async (c, next) => {
        const request = context.received[context.received.length - 1] as ReceivedRequest
        if (o.whileDown && down()) c.res = o.whileDown()
        else await next()
        o.after?.(c)
        answers.push({ request, status: c.res.status, headers: Object.fromEntries(c.res.headers), body: await c.res.clone().text() })
      }
    },
  }
}
