// Sandbox mode (design §6): with no SNODO_CONFIG, Snodo runs with a demo tenant, a demo client holding
// every scope, the platform simulators in-process on loopback, and the comune's office software as a
// second client of its own. Refused in production.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Hono } from 'hono'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import type { Logger } from 'pino'
import { createAppIoSimulator } from '../adapters/appio/simulator/app.ts'
import { appioTestCitizens } from '../adapters/appio/simulator/citizens.ts'
import { simulatorControls } from '../adapters/appio/simulator/controls.ts'
import { createPdndSimulator } from '../adapters/pdnd/simulator/app.ts'
import { createSimulatorContext, type RunningSimulator, startSimulator } from '../adapters/simulator/harness.ts'
import { createSnodoClient } from '../client/index.ts'
import { type Config, validateConfig } from '../config.ts'
import { listKeys, publicPart, rotateKey } from '../trust/key-ring.ts'
import { scopes } from '../trust/scopes.ts'
import { sandboxSoapService, startBackofficeSandbox } from './backoffice-sandbox.ts'
import { type BackofficeSupplier, startBackofficeSupplier } from './backoffice-supplier.ts'
import { keyFile } from './key-file.ts'
import { startPagopaSandbox } from './pagopa-sandbox.ts'

export const sandboxTenantId = 'comune-demo'
export const sandboxClientId = 'demo-portal'
/** The comune's office software: reads practices and reports their steps, nothing else. */
export const sandboxBackofficeClientId = 'demo-backoffice'
/** The demo client as the PDND simulator knows it (PDND client ids are uuids), and its purpose. */
export const sandboxPdndClientId = '3a7c3f1e-5b0d-4f43-8a8e-2a6d9c1b7e40'
export const sandboxPurposeId = '6f1c0a52-3d1e-4c55-9a57-0b3f5c2f1d11'
/** The demo tenant's IO services (one API key each, appio/FACTS.md §1); `generale` is the default. */
export const sandboxIoServices = ['generale', 'tributi'] as const
const sandboxFiscalCode = '00000000000'

export type DemoClientFile = { baseUrl: string; clientId: string; tenantId: string; audience: string; privateJwk: JWK }

export type Sandbox = {
  config: Config
  demoClientPath: string
  simulators: { name: string; url: string; note?: string }[]
  /** Once Snodo listens: starts the office software, which acts through the API; returns its stop (close() stops it too). */
  serving(logger: Logger): () => Promise<void>
  close(): Promise<void>
}

export async function startSandbox(options: { home: string; publicUrl: string; nodeEnv: string }): Promise<Sandbox> {
  if (options.nodeEnv === 'production') {
    throw new Error('Sandbox mode is refused with NODE_ENV=production: set SNODO_CONFIG to a real configuration')
  }
  const dir = resolve(options.home, 'sandbox')
  const keysDir = join(dir, 'keys')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (listKeys(keysDir).length === 0) await rotateKey(keysDir)

  const demoClientPath = join(dir, 'demo-client.json')
  const privateJwk = await clientKey(demoClientPath)
  writeClientFile(demoClientPath, sandboxClientId, privateJwk, options.publicUrl)
  const backofficeClientPath = join(dir, 'backoffice-client.json')
  const backofficeClient = writeClientFile(backofficeClientPath, sandboxBackofficeClientId, await clientKey(backofficeClientPath), options.publicUrl)

  const pdnd = await createPdndSimulator(createSimulatorContext({ idPrefix: 'pdnd-voucher-' }))
  const eserviceAudience = `${options.publicUrl}/eservice`
  await pdnd.registerClient({ clientId: sandboxPdndClientId, publicJwk: publicPart(privateJwk), purposes: { [sandboxPurposeId]: eserviceAudience } })
  const running: RunningSimulator = await startSimulator(pdnd.app)

  // App IO: the keys live in files under the sandbox's own dir, and the config holds only file: references.
  const ioKeys = sandboxIoServices.map((name) => ({ name, ...keyFile(join(dir, 'appio', `${name}.key`)) }))
  const appio = createAppIoSimulator(createSimulatorContext({ idPrefix: 'io-' }), {
    services: ioKeys.map(({ name, key }) => ({ apiKey: key, serviceId: `SANDBOX${name.toUpperCase()}`, organizationFiscalCode: sandboxFiscalCode })),
    // Small but not zero, so a portal sees a message go from submitted to sent.
    processingDelayMs: 500,
  })
  // The controls sit in front of the simulator, so an outage does not switch them off too.
  const runningIo = await startSimulator(new Hono().route('/__sim', simulatorControls(appio)).route('/', appio.app))
  const ioBaseUrl = `${runningIo.url}/api/v1`
  const pagopa = await startPagopaSandbox({ dir, fiscalCode: sandboxFiscalCode, publicUrl: options.publicUrl })
  const backoffice = await startBackofficeSandbox({ dir })

  const config = validateConfig(
    {
      publicUrl: options.publicUrl,
      signing: { keysDir },
      nodoEndpoint: pagopa.nodoEndpoint,
      tenants: [
        {
          id: sandboxTenantId,
          name: 'Comune di Demo (sandbox)',
          fiscalCode: sandboxFiscalCode,
          platforms: {
            appio: { baseUrl: ioBaseUrl, services: ioKeys.map(({ name, path }, i) => ({ name, apiKey: `file:${path}`, default: i === 0 })) },
            pagopa: pagopa.platform,
            backoffice: backoffice.platform,
          },
          pdnd: {
            issuer: pdnd.issuer,
            jwksUrl: `${running.url}/.well-known/jwks.json`,
            audience: eserviceAudience,
            purposes: { [sandboxPurposeId]: sandboxClientId },
          },
        },
      ],
      clients: [
        { id: sandboxClientId, name: 'Demo portal', jwks: { keys: [publicPart(privateJwk)] }, tenants: ['*'], scopes: [...scopes] },
        {
          id: sandboxBackofficeClientId,
          name: 'Demo back-office (the sandbox office software)',
          jwks: { keys: [publicPart(backofficeClient.privateJwk)] },
          tenants: [sandboxTenantId],
          scopes: ['practices:read', 'practices:status'],
        },
      ],
      // Registrations retried in seconds, not the live schedule's minutes, so a demo shows them through.
      delivery: { targets: { backoffice: backoffice.delivery } },
    },
    'sandbox',
    'the sandbox configuration',
  )
  let supplier: BackofficeSupplier | undefined
  const stopSupplier = async () => {
    await supplier?.stop()
    supplier = undefined
  }
  return {
    config,
    demoClientPath,
    simulators: [
      { name: 'pdnd', url: running.url, note: `POST /token.oauth2 as client ${sandboxPdndClientId}, purpose ${sandboxPurposeId}` },
      {
        name: 'appio',
        url: ioBaseUrl,
        note: `on IO ${appioTestCitizens.onIo}, not on IO ${appioTestCitizens.notOnIo}, blocked ${appioTestCitizens.senderNotAllowed}; more in the README`,
      },
      ...pagopa.simulators,
      ...backoffice.simulators,
    ],
    serving: (logger) => {
      supplier ??= startBackofficeSupplier({
        client: createSnodoClient(backofficeClient, { rejectUnverified: true }),
        tenantId: sandboxTenantId,
        logger,
        soap: { service: backoffice.supplier, serviceCodes: [sandboxSoapService] },
      })
      return stopSupplier
    },
    close: async () => {
      await stopSupplier()
      await Promise.all([running.close(), runningIo.close(), pagopa.close(), backoffice.close()])
    },
  }
}

function writeClientFile(path: string, clientId: string, privateJwk: JWK, publicUrl: string): DemoClientFile {
  const file: DemoClientFile = { baseUrl: publicUrl, clientId, tenantId: sandboxTenantId, audience: publicUrl, privateJwk }
  writeFileSync(path, JSON.stringify(file, null, 2), { mode: 0o600 })
  return file
}

/** A sandbox client keeps its key across restarts; RS256 so the demo client's also signs PDND client assertions. */
async function clientKey(path: string): Promise<JWK> {
  if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as DemoClientFile).privateJwk
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' }
}
