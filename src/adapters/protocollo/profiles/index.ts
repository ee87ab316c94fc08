// What a tenant's config says about its protocollo: a built-in profile by name (or a whole profile of
// its own), plus what only the operator knows — the vendor's WSDL files or URLs, the endpoints, the
// credentials as secret references and the tenant's codes. resolveProtocolProfile merges the two and
// validates the result, so a missing WSDL, param or credential is reported at start-up, by path.
import { z } from 'zod'
import { SecretRef } from '../../../config-schema.ts'
import { upstreamErrorKinds } from '../../../errors.ts'
import { ProtocolProfile, type ProtocolProfileInput } from '../profile.ts'
import { docareaProfile } from './docarea.ts'
import { docerProfile } from './docer.ts'

export const builtinProfiles = { docarea: docareaProfile, docer: docerProfile } as const
export type BuiltinProfileName = keyof typeof builtinProfiles

const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)

export const ProtocolSettings = z.strictObject({
  profile: z.union([z.enum(Object.keys(builtinProfiles) as [BuiltinProfileName, ...BuiltinProfileName[]]), z.record(z.string(), z.unknown())]),
  services: z
    .record(
      Name,
      z.strictObject({ wsdl: z.string().min(1).optional(), endpoint: z.url({ protocol: /^https?$/ }).optional(), service: z.string().min(1).optional(), port: z.string().min(1).optional() }),
    )
    .default({})
    .describe("per service of the profile: the vendor's WSDL (file path or URL), the endpoint to call, and the WSDL service/port when the vendor names them differently"),
  credentials: z.record(Name, SecretRef).default({}),
  params: z.record(Name, z.string()).default({}),
  timeoutMs: z.number().int().min(10).optional(),
  errors: z
    .strictObject({ codes: z.record(z.string(), z.enum(upstreamErrorKinds)) })
    .optional()
    .describe("this installation's own in-band codes and their kind (e.g. a busy code → unavailable, retried), over the profile's"),
})
export type ProtocolSettings = z.input<typeof ProtocolSettings>

export type Resolved = { success: true; profile: ProtocolProfile } | { success: false; problems: string[] }

export function resolveProtocolProfile(settings: ProtocolSettings): Resolved {
  const parsed = ProtocolSettings.safeParse(settings)
  if (!parsed.success) return { success: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`) }
  const s = parsed.data
  const base = (typeof s.profile === 'string' ? structuredClone(builtinProfiles[s.profile]) : s.profile) as ProtocolProfileInput
  const unknown = Object.keys(s.services).filter((name) => !(name in (base.services ?? {})))
  if (unknown.length > 0) return { success: false, problems: unknown.map((name) => `services.${name}: the profile has no such service`) }
  const services = Object.fromEntries(
    Object.entries(base.services ?? {}).map(([name, service]) => [name, { ...service, ...definedOnly(s.services[name] ?? {}) }]),
  )
  const merged = {
    ...base,
    services,
    credentials: { ...(base.credentials ?? {}), ...s.credentials },
    params: { ...(base.params ?? {}), ...s.params },
    ...(s.timeoutMs ? { timeoutMs: s.timeoutMs } : {}),
    ...(s.errors ? { errors: { ...base.errors, codes: { ...base.errors?.codes, ...s.errors.codes } } } : {}),
  }
  const profile = ProtocolProfile.safeParse(merged)
  if (!profile.success) return { success: false, problems: profile.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }
  return { success: true, profile: profile.data }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
