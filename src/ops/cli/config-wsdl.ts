// `snodo config check --wsdl`: beyond the file itself, load the WSDL of every protocollo profile and
// SOAP supplier route and check that each step's service, port and operation exist, so a profile
// that does not fit its vendor's WSDL is found before the first practice goes dead.
import type { ClientTls } from '../../adapters/http/agent.ts'
import { type ProtocolSettings, resolveProtocolProfile } from '../../adapters/protocollo/profiles/index.ts'
import type { SoapProfile } from '../../adapters/soap-profile/profile.ts'
import type { Resolved } from '../../adapters/soap-profile/settings.ts'
import { wsdlProblems } from '../../adapters/soap-profile/wsdl-check.ts'
import { resolveSupplierProfile } from '../../adapters/supplier/profiles/index.ts'
import { type Config, type ConfigProblem, readMutualTls } from '../../config.ts'

export async function configWsdlProblems(config: Config): Promise<{ checked: number; problems: ConfigProblem[] }> {
  // backoffice.tls is the protocollo vendor's; a supplier's SOAP service is another party's.
  const profiles: [string, Resolved<SoapProfile>, ClientTls?][] = config.tenants.flatMap((tenant, i) => {
    const backoffice = tenant.platforms.backoffice
    if (!backoffice?.enabled) return []
    const base = `tenants.${i}.platforms.backoffice`
    const tls = backoffice.tls && readMutualTls(backoffice.tls)
    return [
      [`${base}.protocol`, resolveProtocolProfile(backoffice.protocol as ProtocolSettings), tls] as [string, Resolved<SoapProfile>, ClientTls?],
      ...backoffice.services.flatMap((service, j) =>
        service.routing.mode === 'soap' ? [[`${base}.services.${j}.routing`, resolveSupplierProfile(service.routing)] as [string, Resolved<SoapProfile>]] : [],
      ),
    ]
  })
  const problems: ConfigProblem[] = []
  // One at a time: each loads its WSDLs over the network or from disk, and their order is the report's.
  for (const [path, resolved, tls] of profiles) {
    // A profile that does not resolve was already reported by the file check.
    if (!resolved.success) continue
    for (const message of await wsdlProblems(resolved.profile, tls)) problems.push({ path, message })
  }
  return { checked: profiles.length, problems }
}
