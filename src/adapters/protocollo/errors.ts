// What is the protocollo's own in how its failures read; the classification itself is the SOAP
// engine's (../soap-profile/errors.ts). No vendor API is idempotent (backoffice/FACTS.md §3.10): a
// registration whose outcome is unknown, with a profile that cannot search, is dead for an operator
// who checks the register first.
import { UpstreamError } from '../../errors.ts'
import type { PlatformErrors } from '../soap-profile/errors.ts'

const checkFirst = 'check the register before replaying'

export const protocolloErrors: PlatformErrors = {
  uncertainCommit: (correlationKey) => `the vendor may have registered practice ${correlationKey} and this profile cannot search for it: ${checkFirst}`,
}

/** An earlier attempt stopped inside the registering call (practice.interrupted): as an uncertain commit. */
export function interruptedCommit(profileName: string, correlationKey: string): UpstreamError {
  const message = `${profileName}: an earlier attempt stopped while registering practice ${correlationKey} and this profile cannot search for it: ${checkFirst}`
  return new UpstreamError({ kind: 'protocol', platform: 'backoffice', upstreamCode: 'outcome_unknown', message })
}
