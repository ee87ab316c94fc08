// The only reader of process.env. Parses the environment and snodo.config.yaml once, at start-up,
// and reports every problem at once (path + reason) instead of failing on the first.
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { type ProtocolSettings, resolveProtocolProfile } from './adapters/protocollo/profiles/index.ts'
import { resolveSupplierProfile } from './adapters/supplier/profiles/index.ts'
import { crossCheck, SnodoConfigFile } from './config/schema.ts'
import { readMutualTls, readSecret, tryReadSecret } from './config/secret-ref.ts'

export { readMutualTls, readSecret }

const Env = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  SNODO_CONFIG: z.string().optional(),
  SNODO_HOME: z.string().default('.snodo'),
  SNODO_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('snodo'),
  SNODO_SHUTDOWN_MS: z.coerce.number().int().min(100).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})
export type RuntimeEnv = z.infer<typeof Env>

export type ConfigProblem = { path: string; message: string }

export class ConfigError extends Error {
  readonly problems: ConfigProblem[]
  constructor(source: string, problems: ConfigProblem[]) {
    super(`${source} is not valid:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export function readEnv(source: Record<string, string | undefined> = process.env): RuntimeEnv {
  // `PORT=` (set but empty, as compose files and shells leave it) means unset: never port 0 or home ''.
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(source).filter(([, value]) => value !== '')))
  if (!parsed.success) throw new ConfigError('The environment', issuesToProblems(parsed.error))
  return parsed.data
}

export type Config = SnodoConfigFile & { mode: 'live' | 'sandbox' }

export function loadConfigFile(path: string, env: Record<string, string | undefined> = process.env): Config {
  let raw: unknown
  try {
    raw = parseYaml(readFileSync(path, 'utf8'), { prettyErrors: true })
  } catch (error) {
    throw new ConfigError(path, [{ path: '', message: error instanceof Error ? error.message : String(error) }])
  }
  return validateConfig(raw, 'live', path, env)
}

/** Validates a configuration object; the sandbox builds one in memory and goes through here too. */
export function validateConfig(raw: unknown, mode: Config['mode'], source: string, env: Record<string, string | undefined> = process.env): Config {
  const parsed = SnodoConfigFile.safeParse(raw)
  // References and secrets are checked on the raw input even when its shape is wrong, so the operator
  // sees every problem in one run instead of fixing them one start-up at a time.
  const problems = [
    ...(parsed.success ? [] : issuesToProblems(parsed.error)),
    ...crossCheck(raw),
    ...unresolvableSecrets(raw, env),
    ...(parsed.success
      ? [
          ...protocolProblems(parsed.data),
          ...supplierProblems(parsed.data),
          ...nodoEndpointProblems(parsed.data, mode, env),
          ...platformTlsProblems(parsed.data, env),
        ]
      : []),
  ]
  if (!parsed.success || problems.length > 0) throw new ConfigError(source, problems)
  return { ...parsed.data, mode }
}

function unresolvableSecrets(value: unknown, env: Record<string, string | undefined>, path: string[] = []): ConfigProblem[] {
  if (typeof value === 'string') {
    if (!/^(env|file):/.test(value) || !isSecretPath(path)) return []
    return tryReadSecret(value, env) === undefined
      ? [{ path: path.join('.'), message: `secret ${value} cannot be resolved (unset variable or unreadable file)` }]
      : []
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unresolvableSecrets(v, env, [...path, String(i)]))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => unresolvableSecrets(v, env, [...path, k]))
  return []
}

/** Secrets live under tenants.*.platforms and nodoEndpoint; other strings that happen to start with "file:" are not refs. */
function isSecretPath(path: string[]): boolean {
  return (path[0] === 'tenants' && path[2] === 'platforms') || path[0] === 'nodoEndpoint'
}

/**
 * Whoever reaches /pagopa/nodo could otherwise tell Snodo a notice is paid (issue 14): live mode wants the
 * pagoPA Node authenticated, or the operator's explicit `open: true`. The secret travels in a URL path.
 */
function nodoEndpointProblems(config: SnodoConfigFile, mode: Config['mode'], env: Record<string, string | undefined>): ConfigProblem[] {
  const endpoint = config.nodoEndpoint
  const problems: ConfigProblem[] = []
  const secret = endpoint?.secret && tryReadSecret(endpoint.secret, env)
  if (secret !== undefined && !/^[A-Za-z0-9._~-]{16,}$/.test(secret))
    problems.push({ path: 'nodoEndpoint.secret', message: 'the secret must be at least 16 characters among A-Z a-z 0-9 . _ ~ - (it goes in the station URL)' })
  const users = config.tenants.filter((t) => t.platforms.pagopa?.enabled).map((t) => t.id)
  const authenticated = endpoint?.mtls !== undefined || endpoint?.allowFrom !== undefined || endpoint?.secret !== undefined
  if (mode === 'live' && users.length > 0 && !authenticated && !endpoint?.open) {
    problems.push({
      path: 'nodoEndpoint',
      message: `tenant ${users.join(', ')} uses pagoPA, so /pagopa/nodo must authenticate the pagoPA Node: set nodoEndpoint.mtls, allowFrom or secret (or open: true to leave it open on purpose)`,
    })
  }
  return problems
}

/** The platforms whose client presents `tls` (the shared HTTP caller's Agent); SEND and CIE have no client yet. */
const tlsCapable: ReadonlySet<string> = new Set(['appio', 'pagopa', 'backoffice'])

/**
 * What the config accepts is what runs: a `tls` where no client would present it is refused, and one
 * whose certificate, key or CA does not load (or whose key is not the certificate's) is told now, not
 * as a handshake failure on the first delivery.
 */
function platformTlsProblems(config: SnodoConfigFile, env: Record<string, string | undefined>): ConfigProblem[] {
  return config.tenants.flatMap((tenant, i) =>
    Object.entries(tenant.platforms).flatMap(([name, settings]): ConfigProblem[] => {
      const tls = settings?.tls
      if (!tls) return []
      const path = `tenants.${i}.platforms.${name}.tls`
      if (!tlsCapable.has(name))
        return [
          {
            path,
            message: `Snodo has no ${name} client yet, so nothing would present this certificate: remove tls (it is used by ${[...tlsCapable].join(', ')})`,
          },
        ]
      const [cert, key, ca] = [tls.cert, tls.key, tls.ca].map((ref) => (ref === undefined ? undefined : tryReadSecret(ref, env)))
      if (cert === undefined || key === undefined || (tls.ca !== undefined && ca === undefined)) return [] // told by unresolvableSecrets
      try {
        createSecureContext({ cert, key, ca })
        return []
      } catch (error) {
        return [{ path, message: `the client certificate, key or CA does not load: ${(error as Error).message}` }]
      }
    }),
  )
}

/** A tenant's protocollo settings must resolve to a whole profile (WSDLs, params, credentials named). */
function protocolProblems(config: SnodoConfigFile): ConfigProblem[] {
  return config.tenants.flatMap((tenant, i) => {
    const backoffice = tenant.platforms.backoffice
    if (!backoffice?.enabled) return []
    const resolved = resolveProtocolProfile(backoffice.protocol as ProtocolSettings)
    return resolved.success ? [] : resolved.problems.map((message) => ({ path: `tenants.${i}.platforms.backoffice.protocol`, message }))
  })
}

/** Each SOAP route of a service must resolve to a whole supplier profile (endpoint, params, credentials named). */
function supplierProblems(config: SnodoConfigFile): ConfigProblem[] {
  return config.tenants.flatMap((tenant, i) =>
    (tenant.platforms.backoffice?.services ?? []).flatMap((service, j) => {
      if (service.routing.mode !== 'soap') return []
      const resolved = resolveSupplierProfile(service.routing)
      return resolved.success ? [] : resolved.problems.map((message) => ({ path: `tenants.${i}.platforms.backoffice.services.${j}.routing`, message }))
    }),
  )
}

function issuesToProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
}
