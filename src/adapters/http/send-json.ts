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
