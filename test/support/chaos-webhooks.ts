// The portal's webhook receiver for a chaos run: https (live mode sends webhooks over https only) with
// a throwaway certificate for 127.0.0.1 that the Snodo processes trust through NODE_EXTRA_CA_CERTS.
// Logs every request with its signature checked by the standardwebhooks package, and can be "down".
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { signedByAny } from './webhook-receiver.ts'

export type ChaosDelivery = { webhookId: string; type: string; data: Record<string, unknown>; status: number; verified: boolean }

export async function startChaosReceiver(dir: string) {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  })
  const caPath = join(dir, 'receiver-ca.pem')
  writeFileSync(caPath, pems.cert)
  const secrets: string[] = []
  const log: ChaosDelivery[] = []
  let downUntil = 0
  const server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      const verified = signedByAny(secrets, body, req.headers)
      const status = !verified ? 401 : Date.now() < downUntil ? 503 : 200
      let parsed: { type?: string; data?: Record<string, unknown> } = {}
      try {
        parsed = JSON.parse(body) as typeof parsed
      } catch {}
      log.push({ webhookId: String(req.headers['webhook-id']), type: parsed.type ?? '?', data: parsed.data ?? {}, status, verified })
      res.on('error', () => undefined)
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    /** The CA file for NODE_EXTRA_CA_CERTS. */
    caPath,
    log,
    trust: (secret: string) => void secrets.push(secret),
    /** Answers 503 to every webhook for `ms`. */
    outage: (ms: number) => void (downUntil = Date.now() + ms),
    /** How many 2xx answers each webhook-id got. */
    successes(): Map<string, number> {
      const counts = new Map<string, number>()
      for (const r of log) if (r.status < 300) counts.set(r.webhookId, (counts.get(r.webhookId) ?? 0) + 1)
      return counts
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  }
}
export type ChaosReceiver = Awaited<ReturnType<typeof startChaosReceiver>>
