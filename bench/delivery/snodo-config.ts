// The Snodo configuration every process of the delivery benchmark shares (live mode): one tenant,
// the benchmark client (public JWK in BENCH_PUBLIC_JWK), webhooks at concurrency 50 and the local
// receiver's address allow-listed past the SSRF guard. Signing keys: BENCH_KEYS_DIR, made by the orchestrator.
import type { JWK } from 'jose'
import { readEnv, validateConfig } from '../../src/config.ts'
import { createDeps, type Deps, type Role } from '../../src/deps.ts'
import { createLogger } from '../../src/logger.ts'
import { scopes } from '../../src/trust/scopes.ts'

export const tenant = 'comune-bench'
export const clientId = 'bench-portal'
export const audience = 'https://snodo.bench'
export const webhookConcurrency = 50

export function benchConfig(source: Record<string, string | undefined> = process.env) {
  const publicJwk = JSON.parse(source.BENCH_PUBLIC_JWK as string) as JWK
  return validateConfig(
    {
      publicUrl: audience,
      signing: { keysDir: source.BENCH_KEYS_DIR },
      delivery: { targets: { webhooks: { concurrency: webhookConcurrency } } },
      webhooks: { allowedPrivate: ['127.0.0.1'] },
      // BENCH_PLATFORMS (JSON): the tenant's platforms, for the benchmarks that need App IO or pagoPA.
      tenants: [
        { id: tenant, name: 'Comune Bench', fiscalCode: '00000000000', ...(source.BENCH_PLATFORMS ? { platforms: JSON.parse(source.BENCH_PLATFORMS) } : {}) },
      ],
      clients: [{ id: clientId, jwks: { keys: [publicJwk] }, tenants: [tenant], scopes: [...scopes] }],
    },
    'live',
    'delivery bench config',
  )
}

/** createDeps as `npm start` does it, with the prefix, Redis and log level from the environment. */
export async function benchDeps(role: Role, source: Record<string, string | undefined> = process.env): Promise<Deps> {
  const env = readEnv(source)
  return createDeps({ config: benchConfig(source), env, role, logger: createLogger(env.LOG_LEVEL) })
}

/** A business event of a realistic size (~450 bytes as JSON), the same shape publish() builds. */
export function eventData(i: number) {
  return {
    iupd: `00000000000-${String(i).padStart(10, '0')}`,
    iuv: `0${String(3_000_000_000_000_000 + i).padStart(16, '0')}`,
    amount: { cents: 15_000 + (i % 1000), currency: 'EUR' },
    debtor: { kind: 'F', fiscalCodeMasked: 'RSS***80A01H501U' },
    description: 'TARI 2025 - rata unica',
    paidAt: '2025-03-01T10:00:00.000Z',
    receipt: { psp: 'ABI03069', receiptId: `r-${i}`, channel: 'WEB' },
  }
}
