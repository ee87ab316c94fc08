// A portal's webhook receiver on loopback: records every request, answers what the test says, and
// checks each signature with the `standardwebhooks` package (an implementation nobody here wrote).
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { poll } from './poll.ts'

export type Received = { id: string; headers: IncomingHttpHeaders; body: string; status: number; verified: boolean }

export type WebhookReceiver = {
  url: string
  received: Received[]
  /** The secrets whose signatures the receiver accepts (any one suffices). */
  secrets: string[]
  /** Decides each answer's status (default 200). */
  answer: (id: string, n: number) => number
  successes(id: string): number
  close(): Promise<void>
}

/** Whether a Standard Webhooks request verifies with one of `secrets` (checked by the reference library). */
export function signedByAny(secrets: string[], body: string, headers: IncomingHttpHeaders): boolean {
  const signed = {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  }
  return secrets.some((secret) => {
    try {
      new Webhook(secret).verify(body, signed)
      return true
    } catch {
      return false
    }
  })
}

export async function startWebhookReceiver(options: { delayMs?: number } = {}): Promise<WebhookReceiver> {
  const receiver: Omit<WebhookReceiver, 'url' | 'close'> = {
    received: [],
    secrets: [],
    answer: () => 200,
    successes: (id) => receiver.received.filter((r) => r.id === id && r.status < 300).length,
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      const verified = signedByAny(receiver.secrets, body, req.headers)
      const id = String(req.headers['webhook-id'])
      const status = receiver.answer(id, receiver.received.filter((r) => r.id === id).length + 1)
      receiver.received.push({ id, headers: req.headers, body, status, verified })
      setTimeout(() => {
        res.statusCode = status
        res.end()
      }, options.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as WebhookReceiver
}

/** Polls until `check` holds (tests never sleep a fixed time). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  if (!(await poll(check, { timeoutMs, everyMs: 25 }))) throw new Error(`condition not met within ${timeoutMs} ms`)
}
