// A webhook receiver on loopback (node:http) for delivery-engine tests: many endpoints (one path each),
// answers decided per request (possibly slowly), every Standard Webhooks signature checked with the
// reference library, a log written when each request is answered, and a count of requests not yet answered.
import { createServer } from 'node:http'
import { signedByAny } from './webhook-receiver.ts'

export type Delivered = { path: string; webhookId: string; status: number; verified: boolean; body: string }
/** `nth`: how many requests with this webhook-id the receiver has had, this one included. */
export type Answer = (request: { path: string; webhookId: string; nth: number }) => number | Promise<number>

export async function startDeliveryReceiver(answer: Answer) {
  const secrets = new Map<string, string>()
  const log: Delivered[] = []
  const seen = new Map<string, number>()
  let open = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      open++
      const body = Buffer.concat(chunks).toString()
      const path = req.url ?? '/'
      const webhookId = String(req.headers['webhook-id'])
      const nth = (seen.get(webhookId) ?? 0) + 1
      seen.set(webhookId, nth)
      const secret = secrets.get(path)
      const verified = secret !== undefined && signedByAny([secret], body, req.headers)
      const status = verified ? await answer({ path, webhookId, nth }) : 401
      // Logged when answered, whether or not the sender is still there to read it: the receiver got it.
      log.push({ path, webhookId, status, verified, body })
      open--
      res.on('error', () => undefined)
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const ok = (r: Delivered) => r.status >= 200 && r.status < 300
  return {
    log,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    /** The endpoint secret requests to `path` must be signed with. */
    trust: (path: string, secret: string) => void secrets.set(path, secret),
    /** Requests read but not yet answered. */
    pending: () => open,
    requests: (webhookId: string) => log.filter((r) => r.webhookId === webhookId),
    /** How many 2xx answers each webhook-id got. */
    successCounts(): Map<string, number> {
      const counts = new Map<string, number>()
      for (const r of log) if (ok(r)) counts.set(r.webhookId, (counts.get(r.webhookId) ?? 0) + 1)
      return counts
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  }
}
