// A supplier profile: everything the generic SOAP machinery (../soap-profile) needs to hand a practice
// to one supplier's service, as data — the common fields of every profile, plus where the supplier's
// receipt is read: in the answer (`result`), or in what a search by correlation key found
// (`search.found` has a value when the supplier already has the practice).
import { z } from 'zod'
import { profileFields, Step, Template } from '../soap-profile/profile.ts'
import { checkProfile } from '../soap-profile/profile-check.ts'

const ReceiptTemplate = z.strictObject({ supplierPracticeId: Template.optional().describe("the supplier's own id of the practice") })

export const SupplierProfile = z
  .strictObject({
    ...profileFields,
    search: z
      .strictObject({
        steps: z.array(Step).min(1),
        found: Template.describe('has a value when the supplier already has the practice'),
        receipt: ReceiptTemplate.default({}),
      })
      .optional()
      .describe('how to ask the supplier whether it has a practice, before a re-send'),
    result: ReceiptTemplate.default({}),
  })
  .superRefine(checkProfile((p) => ({ result: p.result, search: p.search ? { found: p.search.found, ...p.search.receipt } : undefined })))
export type SupplierProfile = z.infer<typeof SupplierProfile>
export type SupplierProfileInput = z.input<typeof SupplierProfile>
