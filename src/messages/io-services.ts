// Which IO service (and so which API key) a message goes out with: the one named, or the tenant's default.
import type { IoService } from '../adapters/appio/port.ts'
import type { TenantConfig } from '../config/schema.ts'
import { readSecret } from '../config/secret-ref.ts'
import { SnodoError } from '../errors.ts'

type AppIoConfig = NonNullable<TenantConfig['platforms']['appio']>

export function appioOf(tenant: TenantConfig): AppIoConfig {
  const appio = tenant.platforms.appio
  if (!appio?.enabled) throw new SnodoError('platform_not_configured', `Tenant ${tenant.id} does not send App IO messages`)
  return appio
}

/** The service's name, checked when the message is accepted: an unknown one is the caller's mistake. */
export function serviceName(tenant: TenantConfig, requested: string | undefined, path = 'service'): string {
  const { services } = appioOf(tenant)
  const found = requested === undefined ? (services.find((s) => s.default) ?? services[0]) : services.find((s) => s.name === requested)
  if (!found)
    throw new SnodoError('validation_failed', `Unknown IO service ${requested}`, {
      errors: [{ path, message: `one of ${services.map((s) => s.name).join(', ')}` }],
    })
  return found.name
}

/** The key is read at the moment of use, so a rotated secret file is picked up without a restart. */
export function ioService(tenant: TenantConfig, name: string): IoService {
  const service = appioOf(tenant).services.find((s) => s.name === name)
  if (!service) throw new Error(`IO service ${name} is no longer configured for ${tenant.id}`)
  return { name, apiKey: readSecret(service.apiKey) }
}
