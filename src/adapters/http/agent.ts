// The pooled undici Agent every outbound adapter owns (design §8: `request` on a pool, not fetch),
// with the platform's mutual TLS when the tenant configures one (config `platforms.<name>.tls`).
import type { LookupFunction } from 'node:net'
import { Agent } from 'undici'

/** A client certificate and key, and the CA the platform's server certificate is checked against (PEM, already read). */
export type ClientTls = { cert: string; key: string; ca?: string }

export type PooledAgentOptions = {
  connections: number
  /** Connect timeout; undici's own (10 s) when absent. */
  connectTimeoutMs?: number
  tls?: ClientTls
  /** A DNS lookup of the caller's (the webhooks' SSRF guard). */
  lookup?: LookupFunction
}

export function createPooledAgent(options: PooledAgentOptions): Agent {
  const connect = {
    ...(options.connectTimeoutMs === undefined ? {} : { timeout: options.connectTimeoutMs }),
    ...(options.lookup ? { lookup: options.lookup } : {}),
    // `ca` replaces the default roots: a platform behind a private CA is trusted by that CA only.
    ...(options.tls ? { cert: options.tls.cert, key: options.tls.key, ...(options.tls.ca ? { ca: options.tls.ca } : {}) } : {}),
  }
  return new Agent({ connections: options.connections, keepAliveTimeout: 10_000, connect })
}
