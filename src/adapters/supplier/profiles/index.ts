// A tenant's SOAP route for one service resolved to a whole supplier profile: the built-in one it names
// (or its own), with the routing's endpoint, WSDL and auth applied to the profile's one service, and the
// settings every profile takes (../../soap-profile/settings.ts) merged in, then validated.
import { problemsOf, type Resolved, resolveProfile } from '../../soap-profile/settings.ts'
import { SupplierProfile, type SupplierProfileInput } from '../profile.ts'
import { SoapRouting, type SoapRoutingInput, type SupplierProfileName } from '../routing.ts'
import { praticaProfile } from './pratica.ts'
import { suapProfile } from './suap.ts'

export const builtinSupplierProfiles = { pratica: praticaProfile, suap: suapProfile } satisfies Record<SupplierProfileName, SupplierProfileInput>

export function resolveSupplierProfile(routing: SoapRoutingInput): Resolved<SupplierProfile> {
  const parsed = SoapRouting.safeParse(routing)
  if (!parsed.success) return { success: false, problems: problemsOf(parsed.error) }
  const r = parsed.data
  const builtin = typeof r.profile === 'string'
  const base = (builtin ? structuredClone(builtinSupplierProfiles[r.profile as SupplierProfileName]) : r.profile) as SupplierProfileInput
  const services = Object.keys(base.services ?? {})
  const only = services.length === 1 ? (services[0] as string) : undefined
  const problems: string[] = []
  if ((r.endpoint || r.wsdl) && !only)
    problems.push(`${r.endpoint ? 'endpoint' : 'wsdl'}: the profile has ${services.length} services: give services.<name>.${r.endpoint ? 'endpoint' : 'wsdl'}`)
  // Snodo's own WSDL carries a placeholder address: the route must say where the supplier is.
  if (builtin && only && !r.endpoint && !r.services[only]?.endpoint) problems.push("endpoint: the supplier's service URL")
  if (problems.length > 0) return { success: false, problems }
  const shortcut =
    only && (r.endpoint || r.wsdl)
      ? { [only]: { ...(r.wsdl ? { wsdl: r.wsdl } : {}), ...(r.endpoint ? { endpoint: r.endpoint } : {}), ...r.services[only] } }
      : {}
  const { auth, credentials } = authOf(r.auth)
  return resolveProfile(
    SupplierProfile,
    { ...base, ...(auth ? { auth } : {}) },
    { ...r, services: { ...r.services, ...shortcut }, credentials: { ...r.credentials, ...credentials } },
  )
}

/** The routing's auth as a profile's: credentials named username and password, read from the references given. */
function authOf(auth: SoapRouting['auth']): { auth?: SupplierProfileInput['auth']; credentials: Record<string, string> } {
  if (!auth) return { credentials: {} }
  if (auth.type === 'none') return { auth, credentials: {} }
  const named = { username: 'username', password: 'password' }
  const profileAuth = auth.type === 'basic' ? { type: 'basic' as const, ...named } : { type: 'wsse' as const, ...named, passwordType: auth.passwordType }
  return { auth: profileAuth, credentials: { username: auth.username, password: auth.password } }
}
