// The clients Snodo trusts, each with its own key set (inline JWKS or a JWKS URL).
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import type { ClientConfig } from '../config/schema.ts'
import type { Scope } from './scopes.ts'

export type Client = {
  id: string
  keys: JWTVerifyGetKey
  scopes: ReadonlySet<Scope>
  mayActFor(tenantId: string): boolean
}

export type ClientRegistry = { get(id: string): Client | undefined }

export function createClientRegistry(configs: ClientConfig[]): ClientRegistry {
  const clients = new Map<string, Client>()
  for (const config of configs) {
    const tenants = new Set(config.tenants)
    clients.set(config.id, {
      id: config.id,
      // jose caches a remote JWKS and refetches on an unknown kid, at most once per cooldown.
      keys: config.jwks ? createLocalJWKSet(config.jwks) : createRemoteJWKSet(new URL(config.jwksUrl as string)),
      scopes: new Set(config.scopes),
      mayActFor: (tenantId) => tenants.has('*') || tenants.has(tenantId),
    })
  }
  return { get: (id) => clients.get(id) }
}
