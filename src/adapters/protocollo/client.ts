// The protocollo adapter: a protocol profile (profile.ts) run by the generic SOAP engine
// (../soap-profile/runner.ts), read back as a registration. No vendor API is idempotent
// (backoffice/FACTS.md §3.10): where the profile can search by the correlation key, every register()
// searches first, so a retry after a timeout finds what the timed-out call registered; where it
// cannot, a registering call with an unknown outcome is never retried automatically.
import { checkDocuments } from '../soap-profile/documents.ts'
import { createProfileRunner, type RunnerDeps } from '../soap-profile/runner.ts'
import { present, render, type Scope } from '../soap-profile/template.ts'
import { interruptedCommit, protocolloErrors } from './errors.ts'
import { practiceView, registrationOf } from './mapping.ts'
import type { PracticeToRegister, ProtocolPort, ProtocolRegistration } from './port.ts'
import type { ProtocolProfile } from './profile.ts'

export type ProtocolloClientDeps = RunnerDeps & {
  /** Told when a search found a practice already registered, so nothing was sent again. */
  onFound?: (correlationKey: string, registration: ProtocolRegistration) => void
}

export type ProtocolloClient = ProtocolPort & { close(): Promise<void> }

export function createProtocolloClient(profile: ProtocolProfile, deps: ProtocolloClientDeps = {}): ProtocolloClient {
  const runner = createProfileRunner(profile, protocolloErrors, deps)

  const search = async (scope: Scope): Promise<ProtocolRegistration | undefined> => {
    if (!profile.search) return undefined
    await runner.search(scope)
    const number = render(profile.search.registration.number, scope)
    if (!present(number) || /^0+$/.test(String(number).trim())) return undefined
    try {
      return registrationOf(profile.search.registration, scope)
    } catch (error) {
      throw runner.failure(error, scope, 'search')
    }
  }

  const register = async (practice: PracticeToRegister): Promise<ProtocolRegistration> => {
    checkDocuments(profile, practice.main, practice.attachments)
    const scope = await runner.begin(practiceView(practice) as unknown as Scope)
    const found = await search(scope)
    if (found) {
      deps.onFound?.(practice.correlationKey, found)
      return found
    }
    if (practice.interrupted && !profile.search && profile.onUncertainCommit !== 'retry') throw interruptedCommit(profile.name, practice.correlationKey)
    await runner.commit(scope, practice.beforeCommit)
    try {
      return registrationOf(profile.result, scope)
    } catch (error) {
      throw runner.failure(error, scope, 'commit')
    }
  }

  const port: ProtocolloClient = { register, close: () => runner.close() }
  if (profile.search) port.findByCorrelationKey = async (key: string) => search(await runner.begin({ correlationKey: key }))
  return port
}
