// Webhook endpoints per tenant, in one Redis hash per tenant. Secrets are Standard Webhooks
// `whsec_<base64>`; a rotation keeps the previous secret signing until its overlap ends.
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

export type Secret = { value: string; createdAt: string; expiresAt?: string }
export type Endpoint = {
  id: string
  tenantId: string
  url: string
  events: string[]
  description: string
  enabled: boolean
  disabledReason?: string
  createdAt: string
  updatedAt: string
  secrets: Secret[]
}

export type EndpointStore = {
  /** `id`: the one the route derived (Idempotency-Key), else a random one. */
  create(tenantId: string, init: Pick<Endpoint, 'url' | 'events' | 'description'>, id?: string): Promise<Endpoint>
  list(tenantId: string): Promise<Endpoint[]>
  get(tenantId: string, id: string): Promise<Endpoint | undefined>
  update(tenantId: string, id: string, patch: Partial<Pick<Endpoint, 'events' | 'description' | 'enabled' | 'disabledReason'>>): Promise<Endpoint | undefined>
  remove(tenantId: string, id: string): Promise<boolean>
  rotateSecret(tenantId: string, id: string, overlapSeconds: number): Promise<Endpoint | undefined>
  matching(tenantId: string, eventType: string): Promise<Endpoint[]>
  /** Secrets that still sign now: the newest, and older ones inside their overlap. */
  activeSecrets(endpoint: Endpoint): string[]
  /** Where a tenant's endpoints are: the hash `<keyPrefix><tenantId>`, one field per endpoint id. */
  keyPrefix: string
  /** An endpoint as stored there (undefined: none). */
  decode(stored: string | undefined): Endpoint | undefined
}

export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`

export function createEndpointStore(redis: Redis, prefix: string, clock: () => Date): EndpointStore {
  // Not `${prefix}:webhooks:…`: BullMQ's queue named webhooks owns that namespace (meta, wait, id…).
  const keyPrefix = `${prefix}:wh-endpoints:`
  const key = (tenantId: string) => `${keyPrefix}${tenantId}`
  const save = async (e: Endpoint) => void (await redis.hset(key(e.tenantId), e.id, JSON.stringify(e)))
  const store: EndpointStore = {
    async create(tenantId, init, id) {
      const now = clock().toISOString()
      const endpoint: Endpoint = {
        id: id ?? `we_${randomBytes(12).toString('base64url')}`,
        tenantId,
        ...init,
        enabled: true,
        createdAt: now,
        updatedAt: now,
        secrets: [{ value: newSecret(), createdAt: now }],
      }
      await save(endpoint)
      return endpoint
    },
    async list(tenantId) {
      const all = Object.values(await redis.hgetall(key(tenantId))).map((v) => JSON.parse(v) as Endpoint)
      return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    },
    async get(tenantId, id) {
      return store.decode((await redis.hget(key(tenantId), id)) ?? undefined)
    },
    async update(tenantId, id, patch) {
      const found = await store.get(tenantId, id)
      if (!found) return undefined
      const updated: Endpoint = { ...found, ...patch, updatedAt: clock().toISOString() }
      if (patch.enabled === true) delete updated.disabledReason
      await save(updated)
      return updated
    },
    async remove(tenantId, id) {
      return (await redis.hdel(key(tenantId), id)) === 1
    },
    async rotateSecret(tenantId, id, overlapSeconds) {
      const found = await store.get(tenantId, id)
      if (!found) return undefined
      const now = clock()
      const expiresAt = new Date(now.getTime() + overlapSeconds * 1000).toISOString()
      // The previous newest secret keeps signing during the overlap; older ones keep their own end.
      const previous = found.secrets.map((s, i) => (i === 0 ? { ...s, expiresAt: s.expiresAt ?? expiresAt } : s)).filter((s) => !expired(s, now))
      const rotated: Endpoint = { ...found, secrets: [{ value: newSecret(), createdAt: now.toISOString() }, ...previous], updatedAt: now.toISOString() }
      await save(rotated)
      return rotated
    },
    async matching(tenantId, eventType) {
      return (await store.list(tenantId)).filter((e) => e.enabled && (e.events.includes(eventType) || e.events.includes('*')))
    },
    activeSecrets(endpoint) {
      const now = clock()
      return endpoint.secrets.filter((s) => !expired(s, now)).map((s) => s.value)
    },
    keyPrefix,
    decode: (stored) => (stored ? (JSON.parse(stored) as Endpoint) : undefined),
  }
  return store
}

const expired = (s: Secret, now: Date) => s.expiresAt !== undefined && Date.parse(s.expiresAt) <= now.getTime()
