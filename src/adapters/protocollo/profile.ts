// A protocol profile: everything the generic SOAP machinery (../soap-profile) needs to register a
// practice with one vendor, as data (zod-validated; what a tenant's config carries) — the common
// fields of every profile, plus where the registration is read: in the answers (`result`), or in what
// a search by correlation key found (`search.registration`).
import { z } from 'zod'
import { profileFields, Step, Template } from '../soap-profile/profile.ts'
import { checkProfile } from '../soap-profile/profile-check.ts'

export const RegistrationTemplate = z.strictObject({
  number: Template,
  year: Template,
  date: Template,
  registry: Template.optional(),
  aoo: Template.optional(),
  segnatura: Template.optional(),
  documentId: Template.optional(),
})

export const ProtocolProfile = z
  .strictObject({
    ...profileFields,
    search: z
      .strictObject({ steps: z.array(Step).min(1), registration: RegistrationTemplate })
      .optional()
      .describe('how to find a practice by its correlation key; found when registration.number has a value'),
    result: RegistrationTemplate,
  })
  .superRefine(checkProfile((p) => ({ result: p.result, search: p.search?.registration })))
export type ProtocolProfile = z.infer<typeof ProtocolProfile>
export type ProtocolProfileInput = z.input<typeof ProtocolProfile>
