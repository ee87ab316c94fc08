// What a tenant's config says about its protocollo: a built-in profile by name (or a whole profile of
// its own) and the operator's settings (../../soap-profile/settings.ts), merged and validated by
// resolveProtocolProfile.
import { z } from 'zod'
import { problemsOf, type Resolved, resolveProfile, settingsFields } from '../../soap-profile/settings.ts'
import { ProtocolProfile, type ProtocolProfileInput } from '../profile.ts'
import { docareaProfile } from './docarea.ts'
import { docerProfile } from './docer.ts'

export const builtinProfiles = { docarea: docareaProfile, docer: docerProfile } as const
export type BuiltinProfileName = keyof typeof builtinProfiles

export const ProtocolSettings = z.strictObject({
  profile: z.union([z.enum(Object.keys(builtinProfiles) as [BuiltinProfileName, ...BuiltinProfileName[]]), z.record(z.string(), z.unknown())]),
  ...settingsFields,
})
export type ProtocolSettings = z.input<typeof ProtocolSettings>

export function resolveProtocolProfile(settings: ProtocolSettings): Resolved<ProtocolProfile> {
  const parsed = ProtocolSettings.safeParse(settings)
  if (!parsed.success) return { success: false, problems: problemsOf(parsed.error) }
  const s = parsed.data
  const base = (typeof s.profile === 'string' ? structuredClone(builtinProfiles[s.profile]) : s.profile) as ProtocolProfileInput
  return resolveProfile(ProtocolProfile, base, s)
}
