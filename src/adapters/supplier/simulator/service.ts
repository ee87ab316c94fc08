// A back-office supplier's SOAP service, simulated: PraticheFornitore.wsdl (ours) served by the real
// `soap.listen` on loopback. It checks what arrives as a strict supplier would — the account, one main
// document, every document's bytes against its SHA-256 and size, the form data as JSON, the protocol
// registration, the riepilogo (no DTD; valid, by the validator given) — and answers KO E_DATI naming
// what is wrong. It is not idempotent, as no vendor is: a second riceviPratica of the same practice is
// received twice (and counted). Magic subjects (magic.ts) make it fail. GET /__sim/received lists what
// it received lately: the last `keepReceived` practices, form data and riepilogo included; what it
// answers cercaPratica with (ids and instants only) is kept far longer, so a long-running sandbox's
// memory stays flat and a late retry still finds its practice.
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { IServices } from 'soap'
import { listenSoap, type SoapSimulator, sleep } from '../../soap-profile/simulator/listen.ts'
import { soapFault } from '../../soap-profile/simulator/trouble.ts'
import { parseXml } from '../../soap-profile/xml.ts'
import { praticheFornitoreWsdlPath } from '../profiles/pratica.ts'
import { pushMagicIn, supplierCodes } from './magic.ts'

export type ReceivedDocument = {
  nomeFile: string
  tipoMime: string
  impronta: string
  dimensione: number
  principale: boolean
  riferimento?: string
  bytes?: number
}
export type ReceivedPractice = {
  idPratica: string
  idPraticaFornitore: string
  receivedAt: string
  codiceServizio: string
  oggetto: string
  richiedente: Record<string, string>
  protocollo?: Record<string, unknown>
  datiModulo: unknown
  riepilogo?: string
  allegati: ReceivedDocument[]
}

export type SupplierServiceOptions = {
  /** The account the service requires, by HTTP Basic or WS-Security UsernameToken; none when absent. */
  account?: { username: string; password: string; auth: 'basic' | 'wsse' }
  /** How long a "[sim:push-lento]" riceviPratica waits after receiving (default 35 s). */
  slowMs?: number
  /** Complaints about a riepilogo (tests: xmllint against Suap.xsd); by default its root is checked. */
  validateRiepilogo?: (xml: string) => string[]
  clock?: () => Date
  /** Whether to keep every envelope (tests); a long-running sandbox keeps none. */
  keepArrivals?: boolean
  /** How many of the practices received last `received` holds (default 1,000). */
  keepReceived?: number
}

export type SupplierService = {
  /** Where riceviPratica and cercaPratica are served. */
  endpoint: string
  soap: SoapSimulator
  /** The practices received last (`keepReceived`), in order (each riceviPratica that was accepted, duplicates included). */
  received: ReceivedPractice[]
  /** How many were received since the start, including those `received` no longer holds. */
  receivedTotal(): number
  timesReceived(idPratica: string): number
  /** What the service found wrong in what arrived. */
  problems: string[]
  close(): Promise<void>
}

const path = '/pratiche-fornitore'
/** cercaPratica's memory, per practice `received` holds: 100 (ids and instants, a hundred bytes each). */
const receiptsPerPractice = 100
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value))

export async function startSupplierService(options: SupplierServiceOptions = {}): Promise<SupplierService> {
  const clock = options.clock ?? (() => new Date())
  const slowMs = options.slowMs ?? 35_000
  const keepReceived = options.keepReceived ?? 1_000
  const received: ReceivedPractice[] = []
  /** Each practice's first receipt and how often it came, for cercaPratica: far smaller than what `received` holds. */
  const receipts = new Map<string, { idPraticaFornitore: string; receivedAt: string; times: number }>()
  let total = 0
  const keep = (practice: ReceivedPractice) => {
    total++
    received.push(practice)
    if (received.length > keepReceived) received.splice(0, received.length - keepReceived)
    const known = receipts.get(practice.idPratica)
    if (known) return void known.times++
    receipts.set(practice.idPratica, { idPraticaFornitore: practice.idPraticaFornitore, receivedAt: practice.receivedAt, times: 1 })
    // The oldest go first (a Map keeps insertion order).
    if (receipts.size > keepReceived * receiptsPerPractice) receipts.delete(receipts.keys().next().value as string)
  }
  const problems: string[] = []
  /** Transient troubles strike once per practice. */
  const troubled = new Set<string>()
  let next = 0

  const authenticate = (headers: { Security?: { UsernameToken?: { Username?: unknown; Password?: unknown } } } | undefined, req: IncomingMessage) => {
    const account = options.account
    if (!account) return
    const token = headers?.Security?.UsernameToken
    const given =
      account.auth === 'basic'
        ? Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8')
        : `${text(token?.Username)}:${text((token?.Password as { $value?: unknown })?.$value ?? token?.Password)}`
    if (given !== `${account.username}:${account.password}`)
      throw { Fault: { faultcode: 'soap:Client', faultstring: 'autenticazione fallita', statusCode: 500 } }
  }

  const riceviPratica = async (
    args: { pratica?: Record<string, unknown> },
    _cb: unknown,
    headers: Parameters<typeof authenticate>[0],
    req: IncomingMessage,
  ) => {
    authenticate(headers, req)
    const pratica = args.pratica ?? {}
    const idPratica = text(pratica.idPratica)
    const magic = pushMagicIn(text(pratica.oggetto))
    if (magic === 'fault') throw soapFault('Errore interno del gestionale (simulato)')
    if (magic === 'inBandError') return ko(supplierCodes.refused)
    if (magic === 'busy' && !troubled.has(idPratica)) {
      troubled.add(idPratica)
      return ko(supplierCodes.busy)
    }
    const { practice, complaints } = readPractice(pratica, `FORN-${String(++next).padStart(6, '0')}`, clock(), options.validateRiepilogo ?? riepilogoShape)
    if (complaints.length > 0) {
      problems.push(...complaints.map((c) => `${idPratica || '(no id)'}: ${c}`))
      return ko({ code: supplierCodes.invalid.code, message: `${supplierCodes.invalid.message}: ${complaints.slice(0, 3).join('; ')}` })
    }
    keep(practice)
    if (magic === 'slow' && !troubled.has(idPratica)) {
      troubled.add(idPratica)
      await sleep(slowMs)
    }
    return { esito: 'OK', idPraticaFornitore: practice.idPraticaFornitore }
  }

  const cercaPratica = (args: { idPratica?: string }, _cb: unknown, headers: Parameters<typeof authenticate>[0], req: IncomingMessage) => {
    authenticate(headers, req)
    const found = receipts.get(text(args.idPratica))
    return found ? { esito: 'OK', idPraticaFornitore: found.idPraticaFornitore, ricevutaIl: found.receivedAt } : { esito: 'OK' }
  }

  const services: IServices = { PraticheFornitore: { PraticheFornitoreSoap: { riceviPratica, cercaPratica } } }
  const controls = (req: IncomingMessage, res: ServerResponse) => {
    const body =
      req.method === 'GET' && req.url === '/__sim/received'
        ? { received: received.map(({ riepilogo, ...p }) => ({ ...p, riepilogo: riepilogo !== undefined })) }
        : undefined
    res.writeHead(body ? 200 : 404, { 'content-type': body ? 'application/json' : 'text/plain' })
    res.end(body ? JSON.stringify(body) : 'POST SOAP to /pratiche-fornitore (WSDL at ?wsdl); GET /__sim/received')
  }
  const soap = await listenSoap([{ path, wsdl: praticheFornitoreWsdlPath, services }], { keepArrivals: options.keepArrivals ?? true, fallback: controls })
  return {
    endpoint: `${soap.url}${path}`,
    soap,
    received,
    receivedTotal: () => total,
    timesReceived: (id) => receipts.get(id)?.times ?? 0,
    problems,
    close: () => soap.close(),
  }
}

const ko = ({ code, message }: { code: string; message: string }) => ({ esito: 'KO', codiceErrore: code, descrizioneErrore: message })

/** The practice as the supplier keeps it (documents without their bytes), and what is wrong with it. */
function readPractice(pratica: Record<string, unknown>, idPraticaFornitore: string, at: Date, validateRiepilogo: (xml: string) => string[]) {
  const complaints: string[] = []
  const richiedente = (pratica.richiedente ?? {}) as Record<string, string>
  for (const field of ['idPratica', 'codiceServizio', 'oggetto']) if (!text(pratica[field])) complaints.push(`${field} mancante`)
  if (!/^[A-Z0-9]{16}$/.test(text(richiedente.codiceFiscale))) complaints.push('richiedente.codiceFiscale non valido')
  if (Number.isNaN(Date.parse(text(pratica.presentataIl)))) complaints.push('presentataIl non è una data')
  const protocollo = pratica.protocollo as Record<string, unknown> | undefined
  if (!text(protocollo?.numero) || !/^\d{4}$/.test(text(protocollo?.anno))) complaints.push('protocollo mancante: la pratica arriva dopo la protocollazione')
  let datiModulo: unknown
  try {
    datiModulo = JSON.parse(text(pratica.datiModulo))
    if (!datiModulo || typeof datiModulo !== 'object' || Array.isArray(datiModulo)) complaints.push('datiModulo non è un oggetto JSON')
  } catch {
    complaints.push('datiModulo non è JSON')
  }
  const allegati = list((pratica.allegati as { allegato?: Record<string, unknown> | Record<string, unknown>[] } | undefined)?.allegato).map((a, i) => {
    const doc: ReceivedDocument = {
      nomeFile: text(a.nomeFile),
      tipoMime: text(a.tipoMime),
      impronta: text(a.impronta),
      dimensione: Number(a.dimensione),
      principale: String(a.principale) === 'true',
    }
    if (!/^[0-9a-f]{64}$/.test(doc.impronta)) complaints.push(`allegato ${i + 1}: impronta non è uno SHA-256`)
    if (a.contenuto !== undefined) {
      const bytes = Buffer.isBuffer(a.contenuto) ? a.contenuto : Buffer.from(text(a.contenuto), 'base64')
      doc.bytes = bytes.length
      if (createHash('sha256').update(bytes).digest('hex') !== doc.impronta)
        complaints.push(`allegato ${doc.nomeFile}: il contenuto non corrisponde all'impronta`)
      if (bytes.length !== doc.dimensione) complaints.push(`allegato ${doc.nomeFile}: dimensione ${doc.dimensione}, ricevuti ${bytes.length} byte`)
    } else if (/^https?:\/\//.test(text(a.riferimento))) doc.riferimento = text(a.riferimento)
    else complaints.push(`allegato ${doc.nomeFile}: né contenuto né riferimento`)
    return doc
  })
  if (allegati.filter((a) => a.principale).length !== 1) complaints.push('serve esattamente un allegato principale')
  const riepilogo = pratica.riepilogo === undefined ? undefined : text(pratica.riepilogo)
  if (riepilogo !== undefined) {
    complaints.push(...validateRiepilogo(riepilogo).map((c) => `riepilogo: ${c}`))
    if (!riepilogo.includes(`<codice-pratica>${text(pratica.idPratica)}</codice-pratica>`)) complaints.push('riepilogo: codice-pratica non è idPratica')
  }
  const practice: ReceivedPractice = {
    idPratica: text(pratica.idPratica),
    idPraticaFornitore,
    receivedAt: at.toISOString(),
    codiceServizio: text(pratica.codiceServizio),
    oggetto: text(pratica.oggetto),
    richiedente,
    ...(protocollo ? { protocollo } : {}),
    datiModulo,
    ...(riepilogo !== undefined ? { riepilogo } : {}),
    allegati,
  }
  return { practice, complaints }
}

/** Without the XSD at hand (sandbox), a riepilogo is checked for its root; parseXml refuses any DTD. */
function riepilogoShape(xml: string): string[] {
  try {
    return 'riepilogo-pratica-suap' in parseXml(xml) ? [] : ['la radice non è riepilogo-pratica-suap']
  } catch (error) {
    return [(error as Error).message]
  }
}
