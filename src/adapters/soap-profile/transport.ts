// The HTTP under the soap library: undici with a pooled Agent (design §1, §8), a deadline per call,
// a cap on the answer's size, and a refusal of any answer carrying a DTD before a parser sees it
// (the soap library parses with sax, which ignores a DOCTYPE and would read past it; we do not let
// it try). It also tells whether a failed call may have reached the vendor: that is what decides
// if re-sending a registering call is safe (backoffice/FACTS.md §3.10). A call counts as sent from
// the moment undici writes it to a socket; one still queued for a free connection at its deadline
// never left Snodo (undici would keep it queued until a connection frees up, then drop it unsent).
import { type Agent, type Dispatcher, request } from 'undici'
import { type ClientTls, createPooledAgent } from '../http/agent.ts'
import { codeOf, isTimeout } from '../http/failures.ts'
import { carriesDtd } from './xml.ts'

/** What the soap library hands its `request` option (axios-shaped), and what it reads back. */
export type SoapHttpRequest = { url: string; method?: string; headers?: Record<string, unknown>; data?: unknown; timeout?: number }
export type SoapHttpResponse = {
  status: number
  statusText: string
  headers: Record<string, string>
  data: string
  config: { headers: Record<string, string> }
}

export type Exchange = { url: string; soapAction?: string; status?: number; ms: number; requestBytes: number; answerBytes?: number; failure?: string }

export type TransportOptions = {
  timeoutMs: number
  maxAnswerBytes: number
  /** Given: used as it is, and not closed (tls does not apply then). */
  dispatcher?: Dispatcher
  /** Mutual TLS towards the vendor (config `platforms.backoffice.tls`), on the transport's own Agent. */
  tls?: ClientTls
  /** Told of every call, after it ends (for logs and simulators); never given the bodies. */
  onExchange?: (exchange: Exchange) => void
}

/** A call that got no usable HTTP answer. `reached`: the vendor may have acted on it. */
export class TransportFailure extends Error {
  readonly kind: 'timeout' | 'unavailable' | 'protocol'
  readonly reached: boolean
  readonly status?: number
  constructor(kind: TransportFailure['kind'], reached: boolean, message: string, init: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: init.cause })
    this.name = 'TransportFailure'
    this.kind = kind
    this.reached = reached
    this.status = init.status
  }
}

// Failures before a connection exists: the request never left.
const notConnected = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])
// Headers undici sets itself or refuses; the soap library sends them anyway.
const dropped = new Set(['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding', 'upgrade', 'accept-encoding'])

export type SoapTransport = ((config: SoapHttpRequest) => Promise<SoapHttpResponse>) & { close(): Promise<void> }

export function createSoapTransport(options: TransportOptions): SoapTransport {
  const dispatcher = options.dispatcher ?? createPooledAgent({ connections: 16, tls: options.tls })
  const send = async (config: SoapHttpRequest): Promise<SoapHttpResponse> => {
    const timeoutMs = config.timeout && config.timeout > 0 ? config.timeout : options.timeoutMs
    const headers = Object.fromEntries(
      Object.entries(config.headers ?? {})
        .filter(([k, v]) => !dropped.has(k.toLowerCase()) && v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    )
    const body = config.data === undefined || config.data === null ? undefined : Buffer.isBuffer(config.data) ? config.data : String(config.data)
    const started = performance.now()
    const exchange: Exchange = {
      url: config.url,
      soapAction: headers.SOAPAction ?? headers.soapaction,
      ms: 0,
      requestBytes: body ? Buffer.byteLength(body) : 0,
    }
    const deadline = AbortSignal.timeout(timeoutMs)
    let sent = false
    try {
      const answered = request(config.url, {
        method: (config.method ?? (body ? 'POST' : 'GET')) as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher: dispatcher.compose(onWritten(() => (sent = !deadline.aborted))),
        signal: deadline,
        headersTimeout: timeoutMs + 1_000,
        bodyTimeout: timeoutMs + 1_000,
      })
      const answer = await Promise.race([answered, neverLeft(deadline, () => sent, timeoutMs)])
      exchange.status = answer.statusCode
      const text = await readCapped(answer.body, options.maxAnswerBytes)
      exchange.answerBytes = Buffer.byteLength(text)
      if (carriesDtd(text)) {
        throw new TransportFailure('protocol', true, `the answer carries a DTD (DOCTYPE or ENTITY): refused unread (HTTP ${answer.statusCode})`, {
          status: answer.statusCode,
        })
      }
      const answerHeaders = Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]))
      return { status: answer.statusCode, statusText: '', headers: answerHeaders, data: text, config: { headers } }
    } catch (error) {
      const failure = asFailure(error, timeoutMs, options.maxAnswerBytes, sent)
      exchange.failure = failure.message
      throw failure
    } finally {
      exchange.ms = Math.round(performance.now() - started)
      options.onExchange?.(exchange)
    }
  }
  return Object.assign(send, { close: () => (options.dispatcher ? Promise.resolve() : (dispatcher as Agent).close()) })
}

/** Tells `written` when undici puts the request on a socket (its handler's onRequestStart). */
function onWritten(written: () => void): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) =>
    dispatch(opts, {
      onRequestStart: (controller, context) => {
        written()
        handler.onRequestStart?.(controller, context)
      },
      onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    })
}

/** Fails at the deadline if the request is still queued; a sent one is aborted by undici itself. */
function neverLeft(deadline: AbortSignal, sent: () => boolean, timeoutMs: number): Promise<never> {
  return new Promise((_, reject) =>
    deadline.addEventListener(
      'abort',
      () => {
        if (!sent()) reject(new TransportFailure('timeout', false, `no connection free within ${timeoutMs} ms: the request never left Snodo`))
      },
      { once: true },
    ),
  )
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }, max: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > max) {
      body.destroy()
      throw new TransportFailure('protocol', true, `the answer is larger than ${max} bytes: refused`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** `sent`: the request was written to a socket, so the vendor may have acted on it. */
function asFailure(error: unknown, timeoutMs: number, maxBytes: number, sent: boolean): TransportFailure {
  if (error instanceof TransportFailure) return error
  const code = codeOf(error)
  // Before the timeout check: a connect timeout is a timeout too, but one that never reached the vendor.
  if (code !== undefined && notConnected.has(code)) {
    const kind = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timeout' : 'unavailable'
    return new TransportFailure(kind, false, `could not connect (${code})`, { cause: error })
  }
  // The deadline's abort reaches here as a TimeoutError, or as an AbortError when undici wraps it.
  if (isTimeout(error) || (error as { name?: unknown })?.name === 'AbortError') {
    return new TransportFailure(
      'timeout',
      sent,
      sent ? `no answer within ${timeoutMs} ms` : `no connection free within ${timeoutMs} ms: the request never left Snodo`,
      { cause: error },
    )
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new TransportFailure('protocol', true, `the answer is larger than ${maxBytes} bytes`, { cause: error })
  return new TransportFailure('unavailable', sent, `the connection failed (${code ?? (error instanceof Error ? error.message : String(error))})`, {
    cause: error,
  })
}
