// What is the supplier push's own in how its failures read; the classification itself is the SOAP
// engine's (../soap-profile/errors.ts). No vendor API is idempotent (backoffice/FACTS.md §3.10): a push
// whose outcome is unknown, with a profile that cannot ask the supplier, is dead for an operator who
// checks with the supplier first.
import type { PlatformErrors } from '../soap-profile/errors.ts'

export const supplierErrors: PlatformErrors = {
  uncertainCommit: (correlationKey) =>
    `the supplier may have received practice ${correlationKey} and this profile cannot ask it: check with the supplier before replaying`,
}
