// The supplier push adapter: a supplier profile (profile.ts) run by the generic SOAP engine
// (../soap-profile/runner.ts). No vendor API is idempotent (backoffice/FACTS.md §3.10): where the
// profile can ask the supplier whether it has the practice, every push asks first, so a retry after a
// timeout finds what the timed-out call delivered; where it cannot, a push with an unknown outcome is
// never retried automatically (dead, for an operator to check with the supplier).
import { checkDocuments } from '../soap-profile/documents.ts'
import { unmetRequirements } from '../soap-profile/render.ts'
import { createProfileRunner, type RunnerDeps } from '../soap-profile/runner.ts'
import { present, render, type Scope } from '../soap-profile/template.ts'
import { supplierErrors } from './errors.ts'
import { pushView, receiptOf } from './mapping.ts'
import type { PracticeToPush, SupplierPort, SupplierReceipt } from './port.ts'
import type { SupplierProfile } from './profile.ts'

export type SupplierClient = SupplierPort & { close(): Promise<void> }

export function createSupplierClient(profile: SupplierProfile, deps: RunnerDeps = {}): SupplierClient {
  const runner = createProfileRunner(profile, supplierErrors, deps)

  const search = async (scope: Scope): Promise<SupplierReceipt | undefined> => {
    if (!profile.search) return undefined
    await runner.search(scope)
    return present(render(profile.search.found, scope)) ? receiptOf(profile.search.receipt, scope, true) : undefined
  }

  const push = async (practice: PracticeToPush): Promise<SupplierReceipt> => {
    checkDocuments(profile, practice.main, practice.attachments)
    const scope = await runner.begin(pushView(practice) as unknown as Scope)
    const found = await search(scope)
    if (found) return found
    await runner.commit(scope)
    return receiptOf(profile.result, scope, false)
  }

  const port: SupplierClient = {
    push,
    problemsOf: (practice) => {
      const scope = { practice: pushView(practice), params: profile.params }
      return Object.values(profile.xml).flatMap((doc) => unmetRequirements(doc, scope))
    },
    close: () => runner.close(),
  }
  if (profile.search) port.findByCorrelationKey = async (key: string) => search(await runner.begin({ correlationKey: key }))
  return port
}
