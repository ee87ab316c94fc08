// One caller per platform base URL: an owned pooled Agent (or the one given), the per-call timeout on
// connect, headers and each body chunk, the platform's mutual TLS, and a call that got no answer
// named the same way for every platform (failures.ts). The adapter decides what an answer means.
import { type Dispatcher, request } from 'undici'
import { type ClientTls, createPooledAgent } from './agent.ts'
import type { HttpAnswer } from './answer.ts'
import { networkFailure } from './failures.ts'

/** What every platform client is built from (its own options add to these). */
export type PlatformClientOptions = {
  /** Each call's path is appended to it (trailing slashes dropped). */
  baseUrl: string
  /** Given: used as it is, and not closed (tls does not apply then). Absent: an Agent of the caller's own. */
  dispatcher?: Dispatcher
  /** Per call: connect, headers and each body chunk (default 10 s). */
  timeoutMs?: number
  /** Mutual TLS towards the platform (config `platforms.<p>.tls`), on the caller's own Agent. */
  tls?: ClientTls
}

export type HttpCallerOptions = PlatformClientOptions & {
  /** The `platform` of every UpstreamError raised here. */
  platform: string
  /** Pool size of the owned Agent. */
  connections: number
}

const defaultTimeoutMs = 10_000

export type HttpCall = {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  /** Sent as application/json. */
  json?: unknown
  /** Sent as application/x-www-form-urlencoded. */
  form?: URLSearchParams
}

export type HttpCaller = {
  /** The whole answer, whatever its status; no answer at all is an UpstreamError named after `what`. */
  send(what: string, call: HttpCall): Promise<HttpAnswer>
  close(): Promise<void>
}

export function createHttpCaller(options: HttpCallerOptions): HttpCaller {
  const { platform } = options
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  const owned = options.dispatcher ? undefined : createPooledAgent({ connections: options.connections, connectTimeoutMs: timeoutMs, tls: options.tls })
  const dispatcher = options.dispatcher ?? (owned as Dispatcher)
  const base = options.baseUrl.replace(/\/+$/, '')
  return {
    async send(what, call) {
      const body = call.json !== undefined ? JSON.stringify(call.json) : call.form?.toString()
      const contentType = call.json !== undefined ? 'application/json' : call.form ? 'application/x-www-form-urlencoded' : undefined
      try {
        const response = await request(`${base}${call.path}`, {
          method: call.method,
          headers: { accept: 'application/json', ...call.headers, ...(contentType ? { 'content-type': contentType } : {}) },
          body,
          dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        })
        return { status: response.statusCode, headers: response.headers, text: await response.body.text() }
      } catch (cause) {
        throw networkFailure(platform, what, cause, timeoutMs)
      }
    },
    close: async () => {
      await owned?.close()
    },
  }
}
