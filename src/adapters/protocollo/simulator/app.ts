// The sandbox's protocollo: a DOCAREA-shaped SOAP service (protocollo.wsdl, ours) served by a Hono
// app on loopback, so the built-in "docarea" profile runs against it unchanged (design §6). It keeps
// what a strict DOCAREA vendor keeps — sessions, inserted documents, registrations — plus the log of
// every request (context.received), and misbehaves on the magic values of magic.ts.
//   GET  /protocollo?wsdl   the WSDL, its address set to where it is served
//   POST /protocollo        SOAP 1.1: Login, Inserimento, Protocollazione
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { listen, type Server } from 'soap'
import { recordRequests, type SimulatorContext } from '../../simulator/harness.ts'
import { sleep } from '../../soap-profile/simulator/listen.ts'
import { carriesDtd, parseXml } from '../../soap-profile/xml.ts'
import type { ProtocolSettings } from '../profiles/index.ts'
import { createDocareaSimulator, type DocareaRegistration, type StoredDocument } from './docarea.ts'
import { correlationKeyIn, dtdAnswer, magicIn, refusedAnswer, transientCodes } from './magic.ts'

// Resolved from the repository root, so the same path works from src/ and from the build in dist/.
export const protocolloWsdlPath = fileURLToPath(new URL('../../../../src/adapters/protocollo/simulator/protocollo.wsdl', import.meta.url))
const placeholder = 'http://127.0.0.1/protocollo'

export type ProtocolloSimulatorOptions = {
  codEnte?: string
  username?: string
  password?: string
  /** How long a "[sim:lento]" Protocollazione waits after registering, and a "[sim:login-lento]" Login (default 35 s, past the adapter's 30 s). */
  slowMs?: number
  maxBodyBytes?: number
}

export type ProtocolloSimulator = {
  app: Hono
  registrations: DocareaRegistration[]
  documents: Map<number, StoredDocument>
  /** What the simulator found wrong in what it received (missing DST, invalid Segnatura…). */
  problems: string[]
  /** The tenant settings that point the built-in docarea profile at this simulator… */
  settingsFor(baseUrl: string): ProtocolSettings
  /** …and the values of the secret references they name, for the adapter's `env`. */
  env: Record<string, string>
}

export const sandboxProtocolloAccount = { codEnte: 'SANDBOX', username: 'snodo-sandbox', password: 'sandbox-password' }

export function createProtocolloSimulator(context: SimulatorContext, options: ProtocolloSimulatorOptions = {}): ProtocolloSimulator {
  const account = {
    codEnte: options.codEnte ?? sandboxProtocolloAccount.codEnte,
    username: options.username ?? sandboxProtocolloAccount.username,
    password: options.password ?? sandboxProtocolloAccount.password,
  }
  const slowMs = options.slowMs ?? 35_000
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024
  const wsdl = readFileSync(protocolloWsdlPath, 'utf8')
  const vendor = createDocareaSimulator({ ...account, validateSegnatura: segnaturaComplaints, clock: context.clock })
  // Transient troubles strike once per practice (by correlation key), whatever else is in flight.
  const troubled = new Set<string>()
  const firstTime = (envelope: string) => {
    const key = correlationKeyIn(envelope) ?? envelope
    if (troubled.has(key)) return false
    troubled.add(key)
    return true
  }
  let slowLogins = 0
  const soap = new Promise<Server>((resolve, reject) => {
    const server: Server = listen(null, {
      path: '/protocollo',
      xml: wsdl,
      services: { SandboxProtocollo: { SandboxProtocolloSoap: vendor.handlers } },
      callback: (error: unknown) => (error ? reject(error) : resolve(server)),
    })
  })

  const app = new Hono()
  app.use('*', recordRequests(context))
  app.get('/protocollo', (c) => {
    if (c.req.query('wsdl') === undefined) return c.text('POST SOAP here; GET ?wsdl for the WSDL', 404)
    return c.body(wsdl.replace(placeholder, `${new URL(c.req.url).origin}/protocollo`), 200, { 'content-type': 'text/xml; charset=utf-8' })
  })
  app.post('/protocollo', async (c) => {
    if (Number(c.req.header('content-length') ?? 0) > maxBodyBytes) return c.text('request too large', 413)
    const envelope = await c.req.text()
    if (envelope.length > maxBodyBytes) return c.text('request too large', 413)
    // Never let a DTD reach a parser: a SOAP message may not carry one (SOAP 1.1 §3).
    if (carriesDtd(envelope)) return c.text('a SOAP message may not carry a DTD', 400)
    const action = (c.req.header('soapaction') ?? '').replace(/"/g, '')
    const magic = action.endsWith('/Protocollazione') ? magicIn(envelope) : undefined
    if (magic === 'unavailable') return c.text('Service Temporarily Unavailable', 503)
    if (magic === 'notXml') return c.text('Fatal error: Uncaught exception in protocollo.php on line 42', 200)
    if (magic === 'dtd') return c.body(dtdAnswer, 200, { 'content-type': 'text/xml; charset=utf-8' })
    if ((magic === 'busy' || magic === 'slowLogin') && firstTime(envelope)) {
      if (magic === 'slowLogin') slowLogins++
      return c.body(refusedAnswer(magic === 'busy' ? transientCodes.busy : transientCodes.sessionExpired), 200, { 'content-type': 'text/xml; charset=utf-8' })
    }
    if (action.endsWith('/Login') && slowLogins > 0) {
      slowLogins--
      await sleep(slowMs)
    }
    if (magic === 'inBandError') vendor.troubleOnce('Protocollazione', { inBand: { code: 108, message: 'Mittente non valido' } })
    if (magic === 'fault') vendor.troubleOnce('Protocollazione', { fault: 'Errore interno del protocollo (simulato)' })
    if (magic === 'slow') vendor.troubleOnce('Protocollazione', { slowMs, actFirst: true })
    if (magic === 'noNumber') vendor.troubleOnce('Protocollazione', { noNumber: true })
    const answer = await (await soap).processRequest(envelope, { url: '/protocollo', method: 'POST', headers: Object.fromEntries(c.req.raw.headers) })
    return c.body(answer.body, answer.statusCode as 200, { 'content-type': 'text/xml; charset=utf-8' })
  })

  return {
    app,
    registrations: vendor.registrations,
    documents: vendor.documents,
    problems: vendor.problems,
    env: { SNODO_SANDBOX_PROTOCOLLO_USER: account.username, SNODO_SANDBOX_PROTOCOLLO_PASSWORD: account.password },
    settingsFor: (baseUrl) => ({
      profile: 'docarea',
      services: {
        docarea: { wsdl: `${baseUrl}/protocollo?wsdl`, endpoint: `${baseUrl}/protocollo`, service: 'SandboxProtocollo', port: 'SandboxProtocolloSoap' },
      },
      credentials: { username: 'env:SNODO_SANDBOX_PROTOCOLLO_USER', password: 'env:SNODO_SANDBOX_PROTOCOLLO_PASSWORD' },
      // This installation's own codes: "busy" and "session expired" registered nothing, so a retry is safe.
      errors: { codes: { [transientCodes.busy.code]: 'unavailable', [transientCodes.sessionExpired.code]: 'unavailable' } },
      params: {
        codiceEnte: account.codEnte,
        codiceAmministrazione: 'c_sandbox',
        codiceAOO: 'AOO_SANDBOX',
        denominazione: 'Comune Sandbox',
        indirizzoTelematico: 'protocollo@pec.sandbox.invalid',
        unitaOrganizzativa: 'UO-SANDBOX',
      },
    }),
  }
}

/** Without the XSD at hand (sandbox), the Segnatura is checked for what registering needs. */
function segnaturaComplaints(xml: string): string[] {
  try {
    const doc = parseXml(xml) as { Segnatura?: { Intestazione?: { Oggetto?: unknown }; Descrizione?: { Documento?: { $?: { id?: string } } } } }
    if (!doc.Segnatura) return ['the root is not Segnatura']
    if (!doc.Segnatura.Intestazione?.Oggetto) return ['Intestazione/Oggetto is missing']
    if (!doc.Segnatura.Descrizione?.Documento?.$?.id) return ['Descrizione/Documento has no id']
    return []
  } catch (error) {
    return [(error as Error).message]
  }
}
