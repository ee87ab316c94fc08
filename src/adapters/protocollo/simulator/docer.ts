// A DocER installation as its WSDLs describe it (docer/AuthenticationService.wsdl, DocerServices.wsdl,
// WSProtocollazione.wsdl), for tests: login gives a token that every later call must carry; documents
// are created with metadata and a base64 file, tied with addRelated, found by searchDocuments and
// read by getProfileDocument, tied to earlier ones with addRiferimentiDocuments; protocollaById takes a datiProtocollo valid against
// SegnaturaProtocollazioneRequest.xsd and answers the <esito> XML as a string, setting NUM_PG,
// ANNO_PG, DATA_PG and REGISTRO_PG on the document (backoffice/FACTS.md §2 "DocER"). Errors are
// SOAP faults, as Axis2 sends them.
import { createHash } from 'node:crypto'
import type { IServices } from 'soap'
import { Builder } from 'xml2js'
import type { Mount } from '../../soap-profile/simulator/listen.ts'
import { sleep } from '../../soap-profile/simulator/listen.ts'
import { createTroubles, soapFault, type Trouble } from '../../soap-profile/simulator/trouble.ts'

export type DocerSimulatorOptions = {
  codiceEnte: string
  username: string
  password: string
  validateSegnatura(xml: string): string[]
  clock?: () => Date
}

type Pair = { key?: string; value?: string }
export type DocerDocument = { id: string; metadata: Record<string, string>; content: Buffer; sha256: string; related: string[]; riferimenti: string[] }
/** `flusso`: the datiProtocollo's Flusso/TipoRichiesta (E, U or I). */
export type DocerRegistration = { number: number; year: number; documentId: string; datiProtocollo: string; flusso: string }

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])
const pairs = (metadata: Record<string, string>) => Object.entries(metadata).map(([key, value]) => ({ key, value }))

export function createDocerSimulator(options: DocerSimulatorOptions) {
  const clock = options.clock ?? (() => new Date())
  const tokens = new Set<string>()
  const documents = new Map<string, DocerDocument>()
  const registrations: DocerRegistration[] = []
  const problems: string[] = []
  const troubles = createTroubles()
  let nextToken = 0
  let nextDoc = 5000
  let nextNumber = 0

  /** The trouble the test asked for; a slow one is handed back to wrap the work. */
  const before = async (operation: string): Promise<{ slow?: Extract<Trouble, { slowMs: number }>; trouble?: Trouble }> => {
    const trouble = troubles.take(operation)
    if (!trouble) return {}
    if ('fault' in trouble) throw soapFault(trouble.fault)
    if ('slowMs' in trouble) {
      if (!trouble.actFirst) await sleep(trouble.slowMs)
      return { slow: trouble }
    }
    return { trouble }
  }
  const requireToken = (operation: string, token: unknown) => {
    if (typeof token === 'string' && tokens.has(token)) return
    problems.push(`${operation} arrived without a valid token`)
    throw soapFault('token non valido')
  }

  const login = async (args: Record<string, string>) => {
    await before('login')
    if (args.username !== options.username || args.password !== options.password || args.codiceEnte !== options.codiceEnte)
      throw soapFault('Autenticazione fallita')
    const token = `ticket-${++nextToken}`
    tokens.add(token)
    return { return: token }
  }

  const createDocument = async (args: { token?: string; metadata?: Pair | Pair[]; file?: string }) => {
    const { slow } = await before('createDocument')
    requireToken('createDocument', args.token)
    const metadata = Object.fromEntries(list(args.metadata).map((p) => [String(p.key), String(p.value ?? '')]))
    if (!metadata.DOCNAME || !args.file) {
      problems.push('createDocument without DOCNAME or file')
      throw { Fault: { faultcode: 'soap:Client', faultstring: 'DOCNAME e file obbligatori', statusCode: 500 } }
    }
    const content = Buffer.from(args.file, 'base64')
    const id = String(++nextDoc)
    documents.set(id, {
      id,
      metadata: { ...metadata, DOCNUM: id },
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
      related: [],
      riferimenti: [],
    })
    if (slow) await sleep(slow.slowMs)
    return { return: id }
  }

  const addRelated = async (args: { token?: string; docId?: string; related?: string | string[] }) => {
    await before('addRelated')
    requireToken('addRelated', args.token)
    const doc = documents.get(String(args.docId))
    const related = list(args.related).map(String)
    if (!doc || related.some((id) => !documents.has(id))) throw soapFault('documento non trovato')
    doc.related.push(...related)
    return { return: true }
  }

  /** Ties a document to earlier ones it refers to (a reply to the document it answers). */
  const addRiferimentiDocuments = async (args: { token?: string; docId?: string; riferimenti?: string | string[] }) => {
    await before('addRiferimentiDocuments')
    requireToken('addRiferimentiDocuments', args.token)
    const doc = documents.get(String(args.docId))
    const riferimenti = list(args.riferimenti).map(String)
    if (!doc || riferimenti.length === 0 || riferimenti.some((id) => !documents.has(id))) {
      problems.push(`addRiferimentiDocuments for unknown documents: ${String(args.docId)} → ${riferimenti.join(', ') || '(none)'}`)
      throw soapFault('documento non trovato')
    }
    doc.riferimenti.push(...riferimenti)
    return { return: true }
  }

  const searchDocuments = async (args: { token?: string; searchCriteria?: Pair | Pair[]; maxRows?: number }) => {
    await before('searchDocuments')
    requireToken('searchDocuments', args.token)
    const criteria = list(args.searchCriteria)
    const hits = [...documents.values()].filter((d) => criteria.every((c) => d.metadata[String(c.key)] === String(c.value ?? '')))
    // A search answers a subset of the profile (no DATA_PG): the adapter reads the rest with getProfileDocument.
    const shown = ['DOCNUM', 'DOCNAME', 'ABSTRACT', 'NUM_PG', 'ANNO_PG', 'REGISTRO_PG']
    const items = hits
      .slice(0, args.maxRows ?? 100)
      .map((d) => ({ metadata: pairs(Object.fromEntries(shown.filter((k) => k in d.metadata).map((k) => [k, d.metadata[k] as string]))) }))
    return items.length > 0 ? { return: items } : {}
  }

  const getProfileDocument = async (args: { token?: string; docId?: string }) => {
    await before('getProfileDocument')
    requireToken('getProfileDocument', args.token)
    const doc = documents.get(String(args.docId))
    if (!doc) throw soapFault('documento non trovato')
    return { return: pairs(doc.metadata) }
  }

  const protocollaById = async (args: { token?: string; documentoId?: number | string; datiProtocollo?: string }) => {
    const { slow, trouble } = await before('protocollaById')
    requireToken('protocollaById', args.token)
    const esito = (codice: number, descrizione: string, dati?: object) => ({
      return: new Builder({ rootName: 'esito', renderOpts: { pretty: false } }).buildObject({
        codice,
        descrizione,
        ...(dati ? { dati_protocollo: dati } : {}),
      }),
    })
    if (trouble && 'inBand' in trouble) return esito(Number(trouble.inBand.code), trouble.inBand.message)
    const doc = documents.get(String(args.documentoId))
    if (!doc)
      throw {
        Fault: {
          faultcode: 'soapenv:Server',
          faultstring: 'Documento non trovato',
          detail: { ProtocollazioneException: { Exception: 'Documento non trovato' } },
          statusCode: 500,
        },
      }
    const complaints = options.validateSegnatura(args.datiProtocollo ?? '')
    if (complaints.length > 0) {
      problems.push(...complaints.map((c) => `datiProtocollo: ${c}`))
      throw {
        Fault: {
          faultcode: 'soapenv:Server',
          faultstring: 'datiProtocollo non valido',
          detail: { ProtocollazioneException: { Exception: complaints[0] } },
          statusCode: 500,
        },
      }
    }
    if (doc.metadata.NUM_PG) return esito(1, `documento già protocollato (${doc.metadata.NUM_PG})`)
    if (trouble && 'noNumber' in trouble) return esito(0, 'Protocollazione avvenuta con successo.', { ANNO_PG: clock().getUTCFullYear() })
    const at = clock()
    const flusso = /<TipoRichiesta>([^<]*)<\/TipoRichiesta>/.exec(args.datiProtocollo ?? '')?.[1] ?? ''
    const registration = { number: ++nextNumber, year: at.getUTCFullYear(), documentId: doc.id, datiProtocollo: args.datiProtocollo ?? '', flusso }
    registrations.push(registration)
    const dati = { NUM_PG: String(registration.number), DATA_PG: at.toISOString().slice(0, 19), ANNO_PG: String(registration.year), REGISTRO_PG: 'PG' }
    Object.assign(doc.metadata, dati)
    if (slow) await sleep(slow.slowMs)
    return esito(0, 'Protocollazione avvenuta con successo.', { ...dati, OGGETTO_PG: 'Protocollazione in ingresso' })
  }

  const mounts = (wsdl: { auth: string; documenti: string; protocollo: string }): Mount[] => [
    { path: paths.auth, wsdl: wsdl.auth, services: { AuthenticationService: { AuthenticationServiceHttpSoap11Endpoint: { login } } } as IServices },
    {
      path: paths.documenti,
      wsdl: wsdl.documenti,
      services: {
        DocerServices: { DocerServicesHttpSoap11Endpoint: { createDocument, addRelated, addRiferimentiDocuments, searchDocuments, getProfileDocument } },
      } as IServices,
    },
    {
      path: paths.protocollo,
      wsdl: wsdl.protocollo,
      services: { WSProtocollazione: { WSProtocollazioneHttpSoap11Endpoint: { protocollaById } } } as IServices,
    },
  ]
  return { documents, registrations, problems, troubleOnce: troubles.once, mounts, paths }
}

/** Where the WSDLs' SOAP 1.1 ports live (soap.listen binds a port by its address's path). */
const paths = {
  auth: '/docersystem/services/AuthenticationService.AuthenticationServiceHttpSoap11Endpoint',
  documenti: '/WSDocer/services/DocerServices.DocerServicesHttpSoap11Endpoint',
  protocollo: '/WSProtocollazione/services/WSProtocollazione.WSProtocollazioneHttpSoap11Endpoint',
}

export type DocerSimulator = ReturnType<typeof createDocerSimulator>
