// Standard Webhooks signatures: v1,<base64 HMAC-SHA256 of "id.timestamp.body"> with the bytes after
// "whsec_" base64-decoded as the key; one signature per active secret, space-separated.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'

// createHmac with raw key bytes builds a KeyObject on every call (~20 µs, 5× the HMAC of a small body):
// keep one per secret. Bounded, so secrets rotated away do not pile up.
const keys = new Map<string, KeyObject>()
const maxKeys = 10_000

function keyOf(secret: string): KeyObject {
  let key = keys.get(secret)
  if (!key) {
    if (keys.size >= maxKeys) keys.clear()
    key = createSecretKey(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    keys.set(secret, key)
  }
  return key
}

export function webhookHeaders(secrets: string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signed = `${id}.${timestampSeconds}.${body}`
  const signatures = secrets.map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(signed).digest('base64')}`)
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signatures.join(' ') }
}
