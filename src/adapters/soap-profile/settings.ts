// What a tenant's config says of a profile: a built-in one by name (or a whole profile of its own),
// plus what only the operator knows — the vendor's WSDL files or URLs, the endpoints, the credentials
// as secret references, the tenant's codes. The settings are merged over the profile and the result
// validated, so a missing WSDL, param or credential is reported at start-up, by path.
import { type ZodType, z } from 'zod'
import { SecretRef } from '../../config/secret-ref.ts'
import { upstreamErrorKinds } from '../../errors.ts'
import { Name } from './profile.ts'

export const settingsFields = {
  services: z
    .record(
      Name,
      z.strictObject({
        wsdl: z.string().min(1).optional(),
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
        service: z.string().min(1).optional(),
        port: z.string().min(1).optional(),
      }),
    )
    .default({})
    .describe(
      "per service of the profile: the vendor's WSDL (file path or URL), the endpoint to call, and the WSDL service/port when the vendor names them differently",
    ),
  credentials: z.record(Name, SecretRef).default({}),
  params: z.record(Name, z.string()).default({}),
  timeoutMs: z.number().int().min(10).optional(),
  errors: z
    .strictObject({ codes: z.record(z.string(), z.enum(upstreamErrorKinds)) })
    .optional()
    .describe("this installation's own in-band codes and their kind (e.g. a busy code → unavailable, retried), over the profile's"),
}
export type ProfileSettings = z.infer<z.ZodObject<typeof settingsFields>>

/** The part of a profile's input the settings touch. */
type ProfileInput = {
  services?: Record<string, object>
  credentials?: Record<string, string>
  params?: Record<string, string>
  errors?: { codes?: Record<string, string> } & Record<string, unknown>
} & Record<string, unknown>

export type Resolved<P> = { success: true; profile: P } | { success: false; problems: string[] }

export const problemsOf = (error: z.ZodError): string[] => error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`)

/** The profile `base` with the settings `s` merged in, validated by `schema`. */
export function resolveProfile<P>(schema: ZodType<P>, base: ProfileInput, s: ProfileSettings): Resolved<P> {
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
  const profile = schema.safeParse(merged)
  return profile.success ? { success: true, profile: profile.data } : { success: false, problems: problemsOf(profile.error) }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
