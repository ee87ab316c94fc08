// One JSON call on a pooled undici dispatcher (design §8: `request`, not fetch), answered whole as
// status, headers and text; the adapter decides what the answer means and how a failure is named.
import { type Dispatcher, request } from 'undici'

export type HttpAnswer = { status: number; headers: Record<string, string | string[] | undefined>; text: string }

export async function sendJson(options: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: unknown; dispatcher: Dispatcher; timeoutMs: number }): Promise<HttpAnswer> {
  const response = await request(options.url, {
    method: options.method,
    headers: { accept: 'application/json', ...options.headers, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    dispatcher: options.dispatcher,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  })
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() }
}

/** One header of an answer, the first when it came more than once. */
export function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** An RFC 9457 ProblemJson ({title, detail}), or an API gateway's {message}; whatever else, nothing. */
export function problemOf(text: string): { title?: string; detail?: string; isProblemJson: boolean } {
  try {
    const body: unknown = JSON.parse(text)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { isProblemJson: false }
    const record = body as Record<string, unknown>
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 500) : undefined)
    if (str(record.title) || str(record.detail)) return { title: str(record.title), detail: str(record.detail), isProblemJson: true }
    return { detail: str(record.message), isProblemJson: false }
  } catch {
    return { isProblemJson: false }
  }
}
