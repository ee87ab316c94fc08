// The sandbox's back-office: a DOCAREA-shaped protocollo (our own WSDL) that the built-in docarea
// profile drives unchanged, with its credentials in files the configuration names as `file:`, and two
// services whose practices the office pulls.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createProtocolloSimulator, sandboxProtocolloAccount } from '../adapters/protocollo/simulator/app.ts'
import { createSimulatorContext, startSimulator } from '../adapters/simulator/harness.ts'
import { keyFile } from './key-file.ts'

export async function startBackofficeSandbox(options: { dir: string }) {
  const protocollo = createProtocolloSimulator(createSimulatorContext({ idPrefix: 'prot-' }))
  const running = await startSimulator(protocollo.app)
  const { path: usernamePath } = keyFile(join(options.dir, 'protocollo', 'username'))
  const { path: passwordPath } = keyFile(join(options.dir, 'protocollo', 'password'))
  writeFileSync(usernamePath, `${sandboxProtocolloAccount.username}\n`, { mode: 0o600 })
  writeFileSync(passwordPath, `${sandboxProtocolloAccount.password}\n`, { mode: 0o600 })
  return {
    protocollo,
    platform: {
      baseUrl: running.url,
      protocol: { ...protocollo.settingsFor(running.url), credentials: { username: `file:${usernamePath}`, password: `file:${passwordPath}` } },
      services: [
        { serviceCode: 'SUAP-01', name: 'SUAP — attività produttive', routing: { mode: 'pull' as const } },
        { serviceCode: 'SOC-01', name: 'Servizi sociali', routing: { mode: 'pull' as const } },
      ],
    },
    simulators: [{ name: 'protocollo', url: `${running.url}/protocollo`, note: 'DOCAREA-shaped SOAP (WSDL at ?wsdl); services SUAP-01, SOC-01 (pull)' }],
    close: () => running.close(),
  }
}
