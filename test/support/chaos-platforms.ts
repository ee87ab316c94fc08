// The platforms of a chaos run, in the TEST process (so their logs outlive every kill): GPD, App IO
// and the DOCAREA protocollo simulators on loopback, their secrets in files as a live config names
// them, and an outage switch for each. What each one took in is counted by the marker every portal
// command carries in its text ("chaos:<key>"), so a command done twice shows as two objects there.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Hono } from 'hono'
import { createAppIoSimulator } from '../../src/adapters/appio/simulator/app.ts'
import { createGpdSimulator } from '../../src/adapters/pagopa/simulator/gpd-app.ts'
import { createProtocolloSimulator, sandboxProtocolloAccount } from '../../src/adapters/protocollo/simulator/app.ts'
import { createSimulatorContext, startSimulator } from '../../src/adapters/simulator/harness.ts'
import { keyFile } from '../../src/sandbox/key-file.ts'

export const chaosFiscalCode = '00000000001'
export const chaosServiceCode = 'SUAP-01'
const markerPattern = /chaos:([a-z0-9-]+)/

/** The command key a platform object was made for, read from its text; undefined for anything else. */
export const markerOf = (text: string) => markerPattern.exec(text)?.[1]
export const marker = (key: string) => `chaos:${key}`

export type ChaosPlatform = 'gpd' | 'appio' | 'protocollo'

export async function startChaosPlatforms(dir: string) {
  const gpdKey = keyFile(join(dir, 'gpd.key'))
  const ioKey = keyFile(join(dir, 'io.key'))
  const protocolloUser = join(dir, 'protocollo-user')
  const protocolloPassword = join(dir, 'protocollo-password')
  writeFileSync(protocolloUser, `${sandboxProtocolloAccount.username}\n`, { mode: 0o600 })
  writeFileSync(protocolloPassword, `${sandboxProtocolloAccount.password}\n`, { mode: 0o600 })

  const gpd = createGpdSimulator(createSimulatorContext({ idPrefix: 'gpd-' }), { keys: [{ key: gpdKey.key, organizations: '*' }] })
  const io = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), {
    services: [{ apiKey: ioKey.key, serviceId: 'CHAOSIO', organizationFiscalCode: chaosFiscalCode }],
  })
  const protocollo = createProtocolloSimulator(createSimulatorContext({ idPrefix: 'prot-' }))
  // The protocollo simulator has no outage switch of its own: this one answers its SOAP calls 503
  // (a prompt refusal, so nothing was registered and a retry is safe), the WSDL stays served.
  let protocolloDownUntil = 0
  let protocolloRefused = 0
  const protocolloFront = new Hono()
    .use('/protocollo', async (c, next) => {
      if (c.req.method !== 'POST' || Date.now() >= protocolloDownUntil) return next()
      protocolloRefused++
      return c.text('Service Temporarily Unavailable (chaos outage)', 503)
    })
    .route('/', protocollo.app)

  const running = await Promise.all([startSimulator(gpd.app), startSimulator(io.app), startSimulator(protocolloFront)])
  const [gpdRunning, ioRunning, protocolloRunning] = running
  const protocolloUrl = protocolloRunning.url

  return {
    gpd,
    io,
    protocollo,
    /** tenants[].platforms of the live config: every platform at its simulator. */
    tenantPlatforms: {
      pagopa: {
        baseUrl: gpdRunning.url,
        subscriptionKey: `file:${gpdKey.path}`,
        idBrokerPA: chaosFiscalCode,
        idStation: `${chaosFiscalCode}_01`,
        segregationCode: '01',
        mode: 'gpd',
        defaultTransfer: { iban: 'IT60X0542811101000000123456', category: '9/0101108TS/' },
      },
      appio: { baseUrl: `${ioRunning.url}/api/v1`, services: [{ name: 'generale', apiKey: `file:${ioKey.path}`, default: true }] },
      backoffice: {
        baseUrl: protocolloUrl,
        // A Protocollazione that times out is outcome_unknown (DOCAREA cannot search): 10 s is far above what the simulator takes.
        protocol: {
          ...protocollo.settingsFor(protocolloUrl),
          timeoutMs: 10_000,
          credentials: { username: `file:${protocolloUser}`, password: `file:${protocolloPassword}` },
        },
        services: [{ serviceCode: chaosServiceCode, name: 'SUAP (chaos)', routing: { mode: 'pull' } }],
      },
    },
    /** Every call to that platform fails (503) for `ms`. */
    outage(platform: ChaosPlatform, ms: number) {
      if (platform === 'gpd') gpd.outage(ms)
      else if (platform === 'appio') io.outage(ms)
      else protocolloDownUntil = Date.now() + ms
    },
    /** How many calls each platform refused with a 503 (an outage really struck). */
    refused: () => ({
      gpd: gpd.answers.filter((a) => a.status === 503).length,
      appio: io.answers.filter((a) => a.status === 503).length,
      protocollo: protocolloRefused,
    }),
    /** How many objects each command key made at each platform (its marker in a description, subject or Segnatura). */
    counts() {
      const tally = (texts: string[]) => {
        const byKey = new Map<string, number>()
        for (const key of texts.map(markerOf)) if (key) byKey.set(key, (byKey.get(key) ?? 0) + 1)
        return byKey
      }
      return {
        gpd: tally([...gpd.positions.values()].map((p) => p.options.map((o) => o.model.description).join(' '))),
        appio: tally(io.accepted.map((m) => m.body.content.subject)),
        protocollo: tally(protocollo.registrations.map((r) => r.segnatura)),
      }
    },
    close: () => Promise.all(running.map((r) => r.close())),
  }
}
export type ChaosPlatforms = Awaited<ReturnType<typeof startChaosPlatforms>>
