// What every Snodo process of a benchmark run shares, as bench/deliveries.ts sets it up: Snodo's signing
// keys (a fresh directory), the benchmark client's ES256 key pair, and one environment per part (its
// own Redis prefix under the run's). Read by bench/delivery/snodo-config.ts in each process.
import { join } from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { importSigningKey } from '../src/client/index.ts'
import { rotateKey } from '../src/trust/key-ring.ts'
import { audience } from './delivery/snodo-config.ts'

export async function benchEnv(o: { home: string; runPrefix: string; redisUrl: string }) {
  const keysDir = join(o.home, 'keys')
  await rotateKey(keysDir)
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const key = await importSigningKey({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' })
  const env = (part: string): Record<string, string> => ({
    BENCH_PUBLIC_JWK: JSON.stringify({ ...publicJwk, kid, alg: 'ES256' }),
    BENCH_AUDIENCE: audience,
    BENCH_KEYS_DIR: keysDir,
    SNODO_REDIS_PREFIX: `${o.runPrefix}-${part}`,
    REDIS_URL: o.redisUrl,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  })
  return { key, env }
}
