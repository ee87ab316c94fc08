// The sandbox's back-office: a DOCAREA-shaped protocollo (our own WSDL) that the built-in docarea
// profile drives unchanged, with its credentials in files the configuration names as `file:`; two
// services whose practices the office pulls, and one (SUAP-02) pushed to the supplier's SOAP service
// (PraticheFornitore.wsdl, ours) with the SUAP riepilogo, over HTTP Basic with credentials in files too.
// Controls at <simulator>/__sim (what was registered, what the supplier received).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Hono } from 'hono'
import { createProtocolloSimulator, sandboxProtocolloAccount } from '../adapters/protocollo/simulator/app.ts'
import { protocolloSimulatorControls } from '../adapters/protocollo/simulator/controls.ts'
import { createSimulatorContext, startSimulator } from '../adapters/simulator/harness.ts'
import { SoapRouting } from '../adapters/supplier/routing.ts'
import { startSupplierService } from '../adapters/supplier/simulator/service.ts'
import { keyFile } from './key-file.ts'

// Seconds, not a live installation's 30 s, so a demo shows a timeout and its retry while one watches:
// the adapter gives up after timeoutMs, the simulator's slow answers ([sim:lento], [sim:login-lento]) come later.
const timeoutMs = 5_000
const slowMs = 6_000
/** The demo service whose practices go to the supplier by SOAP push. */
export const sandboxSoapService = 'SUAP-02'

export async function startBackofficeSandbox(options: { dir: string }) {
  const protocollo = createProtocolloSimulator(createSimulatorContext({ idPrefix: 'prot-' }), { slowMs })
  // The controls sit in front of the simulator, so they answer whatever trouble it is in.
  const running = await startSimulator(new Hono().route('/__sim', protocolloSimulatorControls(protocollo)).route('/', protocollo.app))
  const { path: usernamePath } = keyFile(join(options.dir, 'protocollo', 'username'))
  const { path: passwordPath } = keyFile(join(options.dir, 'protocollo', 'password'))
  writeFileSync(usernamePath, `${sandboxProtocolloAccount.username}\n`, { mode: 0o600 })
  writeFileSync(passwordPath, `${sandboxProtocolloAccount.password}\n`, { mode: 0o600 })
  // The supplier's SOAP service takes its account from files of its own; it keeps no envelope (memory stays flat).
  const supplierUser = keyFile(join(options.dir, 'fornitore', 'username'))
  const supplierPassword = keyFile(join(options.dir, 'fornitore', 'password'))
  const supplier = await startSupplierService({
    account: { username: supplierUser.key, password: supplierPassword.key, auth: 'basic' },
    slowMs,
    keepArrivals: false,
  })
  return {
    protocollo,
    platform: {
      baseUrl: running.url,
      protocol: { ...protocollo.settingsFor(running.url), timeoutMs, credentials: { username: `file:${usernamePath}`, password: `file:${passwordPath}` } },
      services: [
        { serviceCode: 'SUAP-01', name: 'SUAP — attività produttive', routing: { mode: 'pull' as const } },
        { serviceCode: 'SOC-01', name: 'Servizi sociali', routing: { mode: 'pull' as const } },
        {
          serviceCode: sandboxSoapService,
          name: 'SUAP — avvio attività (gestionale del fornitore, via SOAP)',
          routing: SoapRouting.parse({
            mode: 'soap',
            profile: 'suap',
            endpoint: supplier.endpoint,
            auth: { type: 'basic', username: `file:${supplierUser.path}`, password: `file:${supplierPassword.path}` },
            params: {
              ufficio: 'SUAP del Comune Sandbox',
              codiceAmministrazione: 'c_sandbox',
              codiceAOO: 'AOO_SUAP',
              identificativoSuap: '999',
              modulo: 'SCIA unica',
            },
            timeoutMs,
          }),
        },
      ],
    },
    /**
     * The registrations' delivery tuning: retries after 1 s, 2 s, 5 s… and a circuit that rests 2 s, not 30.
     * No more registrations at once than the adapter has connections (16): a call still waiting for a
     * connection at its deadline never left Snodo and is retried, but it is a wasted attempt.
     */
    delivery: {
      retry: { scheduleMs: [1_000, 2_000, 5_000, 15_000, 60_000, 300_000, 1_800_000], floorAfterThrottleMs: 2_000 },
      circuit: { failureThreshold: 10, cooldownMs: 2_000 },
      concurrency: 16,
    },
    simulators: [
      {
        name: 'protocollo',
        url: `${running.url}/protocollo`,
        note: 'DOCAREA-shaped SOAP (WSDL at ?wsdl), controls at /__sim; services SUAP-01, SOC-01, pulled by the sandbox office as demo-backoffice',
      },
      {
        name: 'fornitore',
        url: supplier.endpoint,
        note: `the supplier's SOAP service (PraticheFornitore, WSDL at ?wsdl), GET /__sim/received; service ${sandboxSoapService} is pushed there with the SUAP riepilogo`,
      },
    ],
    supplier,
    close: async () => {
      await running.close()
      await supplier.close()
    },
  }
}
