// Who hears of a practice: every endpoint subscribed to its events (the portal), but for the endpoints
// suppliers take their practices at (services routed by webhook), which hear only of their own
// services' practices — never of the practices of services routed elsewhere.
import type { TenantConfig } from '../config/schema.ts'

/** The supplier endpoints that must not hear of a practice of this service: those of other services, not its own. */
export function otherSuppliers(tenant: TenantConfig | undefined, serviceCode: string): ReadonlySet<string> {
  const services = tenant?.platforms.backoffice?.services ?? []
  const endpointOf = (s: (typeof services)[number]) => (s.routing.mode === 'webhook' ? [s.routing.endpointId] : [])
  const own = new Set(services.filter((s) => s.serviceCode === serviceCode).flatMap(endpointOf))
  return new Set(
    services
      .filter((s) => s.serviceCode !== serviceCode)
      .flatMap(endpointOf)
      .filter((id) => !own.has(id)),
  )
}
