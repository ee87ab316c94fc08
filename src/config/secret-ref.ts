// A secret is never written in the config: it is a reference resolved at start-up and on use. Its own
// module, so the config schema, the adapter settings it embeds and the adapters that read secrets at
// the moment of use can all use it without importing config.ts (which imports their profiles).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'

export const SecretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be a secret reference "env:NAME" or "file:path"')
  .describe('Secret reference: env:NAME reads an environment variable, file:path reads a file')

/** Reads a secret reference at the moment of use, so rotated files are picked up. Never log the result. */
export function readSecret(ref: string, env: Record<string, string | undefined> = process.env): string {
  const value = tryReadSecret(ref, env)
  if (value === undefined) throw new Error(`secret ${ref} cannot be resolved`)
  return value
}

/** A platform's `tls` (secret references) read as PEM, for the client's Agent. */
export function readMutualTls(
  tls: { cert: string; key: string; ca?: string },
  env: Record<string, string | undefined> = process.env,
): { cert: string; key: string; ca?: string } {
  return { cert: readSecret(tls.cert, env), key: readSecret(tls.key, env), ca: tls.ca === undefined ? undefined : readSecret(tls.ca, env) }
}

export function tryReadSecret(ref: string, env: Record<string, string | undefined>): string | undefined {
  const [kind, ...rest] = ref.split(':')
  const name = rest.join(':')
  if (kind === 'env') return env[name] || undefined
  try {
    return readFileSync(resolve(name), 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}
