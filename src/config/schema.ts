// The shape of snodo.config.yaml. The JSON Schema in schemas/ is generated from this file
// (`npm run gen:config-schema`) and a test keeps it fresh.
import ipaddr from 'ipaddr.js'
import { z } from 'zod'
import { SoapRouting } from '../adapters/supplier/routing.ts'
import { scopes } from '../trust/scopes.ts'
import { SecretRef } from './secret-ref.ts'

export { SecretRef }

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes, 2-63 characters')
const HttpUrl = z.url({ protocol: /^https?$/ })
const Jwk = z.looseObject({ kty: z.enum(['RSA', 'EC', 'OKP']), kid: z.string().min(1) })

/** Optional mutual TLS towards a platform: the client's own Agent presents it (adapters/http/agent.ts). */
const MutualTls = z
  .strictObject({
    cert: SecretRef.describe('client certificate (PEM)'),
    key: SecretRef.describe('its private key (PEM)'),
    ca: SecretRef.optional().describe("the CA the platform's server certificate is checked against (PEM), in place of the system's"),
  })
  .describe('mutual TLS towards the platform (appio, pagopa, backoffice; refused on send and cie, which have no client yet)')
export type MutualTls = z.infer<typeof MutualTls>

const platformBase = { enabled: z.boolean().default(true), baseUrl: HttpUrl, tls: MutualTls.optional() }

export const PlatformsConfig = z.strictObject({
  pagopa: z
    .strictObject({
      ...platformBase,
      mode: z.enum(['gpd', 'station']).default('gpd'),
      checkoutUrl: HttpUrl.optional(),
      subscriptionKey: SecretRef,
      idBrokerPA: z.string().regex(/^\d{11}$/, 'an 11-digit fiscal code'),
      idStation: z.string().min(1),
      segregationCode: z.string().regex(/^\d{2}$/, 'two digits'),
      /** Where the money goes when a payment names no transfers: the comune's own account and taxonomy code. */
      defaultTransfer: z
        .strictObject({
          iban: z
            .string()
            .regex(/^[A-Za-z0-9]{1,35}$/)
            .optional(),
          postalIban: z
            .string()
            .regex(/^[A-Za-z0-9]{1,35}$/)
            .optional(),
          category: z.string().min(1).max(140),
        })
        .refine((t) => (t.iban === undefined) !== (t.postalIban === undefined), 'exactly one of iban and postalIban')
        .optional(),
    })
    .optional(),
  appio: z
    .strictObject({
      ...platformBase,
      services: z.array(z.strictObject({ name: Slug, serviceId: z.string().optional(), apiKey: SecretRef, default: z.boolean().default(false) })).min(1),
    })
    .optional(),
  send: z
    .strictObject({
      ...platformBase,
      apiKey: SecretRef,
      pdnd: z.strictObject({
        tokenUrl: HttpUrl,
        clientId: z.string().min(1),
        kid: z.string().min(1),
        privateKey: SecretRef,
        purposeId: z.string().min(1),
        audience: z.string().min(1),
      }),
    })
    .optional(),
  backoffice: z
    .strictObject({
      ...platformBase,
      /** The protocollo: a built-in profile or one written in config (src/adapters/protocollo/profiles). */
      protocol: z.record(z.string(), z.unknown()).describe('protocol profile settings (see README "Practices")'),
      /** Which services this tenant takes practices for, and where each goes once registered. */
      services: z
        .array(
          z.strictObject({
            serviceCode: z.string().min(1).max(64),
            name: z.string().min(1),
            routing: z.discriminatedUnion('mode', [
              z.strictObject({ mode: z.literal('pull') }).describe('the supplier pulls GET …/practices and acks'),
              z.strictObject({ mode: z.literal('webhook'), endpointId: z.string().min(1) }).describe("a signed webhook to the supplier's endpoint"),
              SoapRouting,
            ]),
            ioService: Slug.optional().describe('the App IO service that tells the applicant; the default one otherwise'),
            messages: z
              .partialRecord(
                z.enum(['submitted', 'registered', 'taken_in_charge', 'integration_requested', 'integration_submitted', 'accepted', 'rejected', 'withdrawn']),
                z.strictObject({ subject: z.string().min(1), markdown: z.string().min(1) }),
              )
              .optional(),
          }),
        )
        .default([]),
    })
    .optional(),
  cie: z.strictObject({ ...platformBase, clientId: HttpUrl.optional() }).optional(),
})
export type PlatformsConfig = z.infer<typeof PlatformsConfig>
export type PlatformName = keyof PlatformsConfig
export const platformNames = Object.keys(PlatformsConfig.shape) as PlatformName[]

/** A tenant may accept PDND vouchers in place of client-signed tokens (pdnd/FACTS.md "Voucher claims"). */
const PdndAcceptance = z.strictObject({
  issuer: z.string().min(1),
  jwksUrl: HttpUrl,
  audience: z.string().min(1).describe("Snodo's e-service audience as registered on PDND"),
  purposes: z.record(z.string().min(1), Slug).describe('purposeId → client id'),
})

export const TenantConfig = z.strictObject({
  id: Slug,
  name: z.string().min(1),
  fiscalCode: z.string().regex(/^\d{11}$/, 'an 11-digit fiscal code'),
  pdnd: PdndAcceptance.optional(),
  platforms: PlatformsConfig.default({}),
})
export type TenantConfig = z.infer<typeof TenantConfig>

export const ClientConfig = z
  .strictObject({
    id: Slug,
    name: z.string().optional(),
    jwks: z.strictObject({ keys: z.array(Jwk).min(1) }).optional(),
    jwksUrl: HttpUrl.optional(),
    tenants: z.array(z.union([Slug, z.literal('*')])).min(1),
    scopes: z.array(z.enum(scopes)).min(1),
  })
  .refine((c) => (c.jwks === undefined) !== (c.jwksUrl === undefined), 'exactly one of jwks and jwksUrl is required')
export type ClientConfig = z.infer<typeof ClientConfig>

/** Per-target tuning of the delivery engine (design §5); every field has a default. */
const TargetTuning = z.strictObject({
  retry: z
    .strictObject({
      scheduleMs: z.array(z.number().int().min(10)).min(0).max(30).optional(),
      jitter: z.number().min(0).max(0.5).optional(),
      maxRetryAfterMs: z.number().int().min(0).optional(),
      floorAfterThrottleMs: z.number().int().min(0).optional(),
    })
    .optional(),
  rateLimit: z.strictObject({ perSecond: z.number().positive(), burst: z.number().int().min(1) }).optional(),
  circuit: z.strictObject({ failureThreshold: z.number().int().min(1), cooldownMs: z.number().int().min(10) }).optional(),
  concurrency: z.number().int().min(1).max(1000).optional(),
  timeoutMs: z.number().int().min(10).optional(),
})
export type TargetTuning = z.infer<typeof TargetTuning>

export const deliveryTargets = ['webhooks', 'pagopa', 'appio', 'send', 'backoffice'] as const
export type DeliveryTarget = (typeof deliveryTargets)[number]

const DeliveryConfig = z.strictObject({
  targets: z.partialRecord(z.enum(deliveryTargets), TargetTuning).default({}),
  succeededRetentionSeconds: z
    .number()
    .int()
    .min(60)
    .default(7 * 86_400),
  deadRetentionSeconds: z
    .number()
    .int()
    .min(60)
    .default(30 * 86_400),
  /** How long a worker holds a job before another may take it over after a crash. */
  lockMs: z.number().int().min(500).default(30_000),
  sweepIntervalMs: z.number().int().min(100).default(10_000),
})
export type DeliveryConfig = z.infer<typeof DeliveryConfig>

const WebhooksConfig = z.strictObject({
  /** Hosts or CIDR ranges a webhook may reach although they are private (SSRF guard exceptions). */
  allowedPrivate: z.array(z.string().min(1)).default([]),
  secretOverlapSeconds: z.number().int().min(0).default(86_400),
  maxEndpointsPerTenant: z.number().int().min(1).default(50),
})

const AddressRange = z
  .string()
  .refine((v) => ipaddr.isValidCIDR(v) || ipaddr.isValid(v), 'an IP address or a CIDR range, e.g. 192.0.2.0/24 or 2001:db8::/32')
  .describe('an IP address or CIDR range (IPv4-mapped IPv6 addresses are matched as IPv4)')

/** One accepted client certificate subject: every attribute named must equal the certificate's (name them all to pin the full DN). */
const CertificateSubject = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9.]*$/, 'a subject attribute such as CN, O, OU, C, L, ST'), z.string().min(1))
  .refine((s) => Object.keys(s).length > 0, 'name at least one attribute, e.g. { CN: nodo.pagopa.it }')

/**
 * How the pagoPA Node is authenticated on the station endpoint (/pagopa/nodo). Every check set applies;
 * live mode refuses to start with a pagoPA tenant and none of mtls, allowFrom, secret, unless open: true.
 */
export const NodoEndpointConfig = z
  .strictObject({
    mtls: z
      .strictObject({
        host: z.string().min(1).default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).describe('0: any free port (tests)'),
        cert: SecretRef.describe("the station's server certificate (PEM), with its chain"),
        key: SecretRef.describe("the server certificate's private key (PEM)"),
        clientCa: SecretRef.describe("the CA(s) that issue the Node's client certificate (PEM)"),
        allowedSubjects: z.array(CertificateSubject).min(1),
      })
      .optional()
      .describe('serve /pagopa/nodo on its own HTTPS listener that requires a client certificate; the main listener then answers 404 there'),
    allowFrom: z.array(AddressRange).min(1).optional().describe("the Node's source addresses"),
    trustedProxies: z
      .array(AddressRange)
      .min(1)
      .optional()
      .describe('peers whose X-Forwarded-For names the client (the rightmost address not itself a trusted proxy)'),
    secret: SecretRef.optional().describe('a shared secret the Node sends in the station URL, /pagopa/nodo/<secret> (the weakest check)'),
    open: z.boolean().default(false).describe('true: leave the endpoint unauthenticated on purpose (logged as a warning at every start)'),
  })
  .refine((n) => n.trustedProxies === undefined || n.allowFrom !== undefined, {
    message: 'trustedProxies is only read with allowFrom',
    path: ['trustedProxies'],
  })
  .refine((n) => !n.open || (n.mtls === undefined && n.allowFrom === undefined && n.secret === undefined), {
    message: 'open: true contradicts mtls, allowFrom or secret',
    path: ['open'],
  })
export type NodoEndpointConfig = z.infer<typeof NodoEndpointConfig>

export const SnodoConfigFile = z.strictObject({
  publicUrl: HttpUrl.describe('The URL portals call; it is the audience of their tokens'),
  signing: z.strictObject({ keysDir: z.string().min(1) }).describe("Directory of Snodo's signing keys (snodo keys rotate)"),
  auth: z
    .strictObject({
      leewaySeconds: z.number().int().min(0).max(120).default(30),
      maxTokenLifetimeSeconds: z.number().int().min(30).max(300).default(300),
    })
    .default({ leewaySeconds: 30, maxTokenLifetimeSeconds: 300 }),
  limits: z
    .strictObject({ bodyBytes: z.number().int().min(1024).default(1_048_576), batchBodyBytes: z.number().int().min(1024).default(33_554_432) })
    .default({ bodyBytes: 1_048_576, batchBodyBytes: 33_554_432 }),
  idempotency: z.strictObject({ ttlSeconds: z.number().int().min(60).default(86_400) }).default({ ttlSeconds: 86_400 }),
  delivery: DeliveryConfig.default(DeliveryConfig.parse({})),
  documents: z
    .strictObject({
      dir: z.string().min(1).optional().describe('where uploaded documents are kept (default <SNODO_HOME>/documents); shared by every instance'),
      maxBytes: z.number().int().min(1024).default(67_108_864),
    })
    .default({ maxBytes: 67_108_864 }),
  webhooks: WebhooksConfig.default(WebhooksConfig.parse({})),
  events: z
    .strictObject({
      retentionSeconds: z
        .number()
        .int()
        .min(3600)
        .default(30 * 86_400)
        .describe('how long the events feed keeps an event, and a fact published twice stays one event'),
    })
    .default({ retentionSeconds: 30 * 86_400 }),
  nodoEndpoint: NodoEndpointConfig.optional().describe('how the pagoPA Node is authenticated on the station endpoint /pagopa/nodo'),
  tenants: z.array(TenantConfig).min(1),
  clients: z.array(ClientConfig).min(1),
})
export type SnodoConfigFile = z.infer<typeof SnodoConfigFile>

/**
 * Cross-reference checks zod cannot express per field; each problem carries its path. They read the
 * raw input, tolerating any malformed part, so one run reports these alongside the shape problems.
 */
export function crossCheck(raw: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = []
  const tenants = list(field(raw, 'tenants'))
  const clients = list(field(raw, 'clients'))
  const tenantIds = new Set<string>()
  tenants.forEach((t, i) => {
    const id = field(t, 'id')
    if (typeof id !== 'string') return
    if (tenantIds.has(id)) problems.push({ path: `tenants.${i}.id`, message: `duplicate tenant id "${id}"` })
    tenantIds.add(id)
  })
  const clientIds = new Set(clients.map((c) => field(c, 'id')))
  clients.forEach((c, i) => {
    const id = field(c, 'id')
    if (typeof id === 'string' && clients.findIndex((o) => field(o, 'id') === id) !== i)
      problems.push({ path: `clients.${i}.id`, message: `duplicate client id "${id}"` })
    list(field(c, 'tenants')).forEach((t, j) => {
      if (typeof t === 'string' && t !== '*' && !tenantIds.has(t)) problems.push({ path: `clients.${i}.tenants.${j}`, message: `unknown tenant "${t}"` })
    })
  })
  tenants.forEach((t, i) => {
    const purposes = field(field(t, 'pdnd'), 'purposes')
    for (const [purposeId, clientId] of Object.entries(isRecord(purposes) ? purposes : {})) {
      if (typeof clientId === 'string' && !clientIds.has(clientId))
        problems.push({ path: `tenants.${i}.pdnd.purposes.${purposeId}`, message: `unknown client "${clientId}"` })
    }
    const services = list(field(field(field(t, 'platforms'), 'appio'), 'services'))
    if (services.filter((s) => field(s, 'default') === true).length > 1)
      problems.push({ path: `tenants.${i}.platforms.appio.services`, message: 'at most one default service' })
  })
  return problems
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined)
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
