// Standard Webhooks signatures: v1,<base64 HMAC-SHA256 of "id.timestamp.body"> with the bytes after
// "whsec_" base64-decoded as the key; one signature per active secret, space-separated.
import { createHmac } from 'node:crypto'

export function webhookHeaders(secrets: string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signed = `${id}.${timestampSeconds}.${body}`
  const signatures = secrets.map((secret) => `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(signed).digest('base64')}`)
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signatures.join(' ') }
}
