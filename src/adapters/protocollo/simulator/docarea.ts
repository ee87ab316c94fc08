// A DOCAREA vendor as Halley's WSDL describes it (halley-docarea/HalleyProto-DOCAREAProto.wsdl),
// for tests: it checks what arrives the way a strict vendor would — a valid DST on every call after
// Login, a non-empty base64 document, a Segnatura valid against segnatura-aipa/segnatura.xsd whose
// Documento ids are documents it stored — and answers errors in-band (lngErrNumber/strErrString,
// backoffice/FACTS.md §2). Everything it stored and registered stays inspectable.
import { createHash } from 'node:crypto'
import type { IServices } from 'soap'
import { parseStringPromise } from 'xml2js'
import type { Mount } from '../../soap-profile/simulator/listen.ts'
import { sleep } from '../../soap-profile/simulator/listen.ts'
import { createTroubles, italianDate, soapFault, type Trouble } from '../../soap-profile/simulator/trouble.ts'

export type DocareaSimulatorOptions = {
  codEnte: string
  username: string
  password: string
  /** xmllint against segnatura.xsd: the complaints, or [] when valid. */
  validateSegnatura(xml: string): string[]
  clock?: () => Date
}

export type StoredDocument = { id: number; name: string; content: Buffer; sha256: string }
export type DocareaRegistration = {
  number: number
  year: number
  date: string
  segnatura: string
  documentIds: number[]
  correlationKey?: string
  /** Identificatore/Flusso: E (in entrata) or U (in uscita). */
  flusso: string
  /** The protocolloPrecedente parameter ("number/year"), when the registration follows another. */
  precedent?: string
}

type Args = Record<string, string | undefined>

export function createDocareaSimulator(options: DocareaSimulatorOptions) {
  const clock = options.clock ?? (() => new Date())
  const tokens = new Set<string>()
  const documents = new Map<number, StoredDocument>()
  const registrations: DocareaRegistration[] = []
  const problems: string[] = []
  const troubles = createTroubles()
  let nextToken = 0
  let nextDoc = 1000
  let nextNumber = 0

  const refuse = (result: string, code: number, message: string, extra: object = {}) => ({ [result]: { ...extra, lngErrNumber: code, strErrString: message } })
  /** Trouble that answers at once; a slow one is returned to be applied around the work. */
  const before = async (
    operation: string,
    result: string,
    zeros: object,
  ): Promise<{ answer?: object; slow?: Extract<Trouble, { slowMs: number }>; noNumber?: boolean }> => {
    const trouble = troubles.take(operation)
    if (!trouble) return {}
    if ('inBand' in trouble) return { answer: refuse(result, Number(trouble.inBand.code), trouble.inBand.message, zeros) }
    if ('fault' in trouble) throw soapFault(trouble.fault)
    if ('noNumber' in trouble) return { noNumber: true }
    if (!trouble.actFirst) await sleep(trouble.slowMs)
    return { slow: trouble }
  }
  const dstProblem = (operation: string, args: Args) => {
    if (args.strDST && tokens.has(args.strDST)) return undefined
    problems.push(`${operation} arrived without a valid DST`)
    return 'DST non valido'
  }

  const Login = async (args: Args) => {
    const { answer } = await before('Login', 'LoginResult', {})
    if (answer) return answer
    if (args.strCodEnte !== options.codEnte || args.strUserName !== options.username || args.strPassword !== options.password) {
      return refuse('LoginResult', 1, 'Utente o password non validi')
    }
    const token = `DST-${++nextToken}`
    tokens.add(token)
    return { LoginResult: { strDST: token, lngErrNumber: 0 } }
  }

  const Inserimento = async (args: Args) => {
    const { answer, slow } = await before('Inserimento', 'InserimentoResult', { lngDocID: 0 })
    if (answer) return answer
    const invalid = dstProblem('Inserimento', args)
    if (invalid) return refuse('InserimentoResult', 2, invalid, { lngDocID: 0 })
    if (!args.strDocument || !args.objDocument || !/^[A-Za-z0-9+/]+=*$/.test(args.objDocument)) {
      problems.push('Inserimento without a file name or base64 content')
      return refuse('InserimentoResult', 3, 'Documento mancante', { lngDocID: 0 })
    }
    const content = Buffer.from(args.objDocument, 'base64')
    const id = ++nextDoc
    documents.set(id, { id, name: args.strDocument, content, sha256: createHash('sha256').update(content).digest('hex') })
    if (slow) await sleep(slow.slowMs)
    return { InserimentoResult: { lngDocID: id, lngErrNumber: 0 } }
  }

  const Protocollazione = async (args: Args) => {
    const zeros = { lngNumPG: 0, lngAnnoPG: 0 }
    const { answer, slow, noNumber } = await before('Protocollazione', 'ProtocollazioneResult', zeros)
    if (answer) return answer
    const invalid = dstProblem('Protocollazione', args)
    if (invalid) return refuse('ProtocollazioneResult', 2, invalid, zeros)
    const segnatura = args.strDocumentInfo ?? ''
    const complaints = options.validateSegnatura(segnatura)
    if (complaints.length > 0) {
      problems.push(...complaints.map((c) => `Segnatura: ${c}`))
      return refuse('ProtocollazioneResult', 20, 'Segnatura non valida', zeros)
    }
    const parsed = await parseStringPromise(segnatura, { explicitArray: true })
    const descrizione = parsed.Segnatura.Descrizione[0]
    const ids = [descrizione.Documento[0], ...(descrizione.Allegati?.[0].Documento ?? [])].map((d: { $: { id: string } }) => Number(d.$.id))
    const unknown = ids.filter((id) => !documents.has(id))
    if (unknown.length > 0) {
      problems.push(`Segnatura references documents never inserted: ${unknown.join(', ')}`)
      return refuse('ProtocollazioneResult', 21, 'Documento non trovato', zeros)
    }
    if (noNumber) return { ProtocollazioneResult: { ...zeros, strDataPG: '', lngErrNumber: 0 } }
    const parameters = (parsed.Segnatura.ApplicativoProtocollo?.[0].Parametro ?? []) as { $: { nome: string; valore: string } }[]
    const parameter = (name: string) => parameters.find((p) => p.$.nome === name)?.$.valore
    const flusso = String(parsed.Segnatura.Intestazione[0].Identificatore[0].Flusso[0])
    if (flusso !== 'E' && flusso !== 'U') {
      problems.push(`Segnatura: Flusso ${flusso} is neither E nor U`)
      return refuse('ProtocollazioneResult', 22, 'Flusso non valido', zeros)
    }
    const at = clock()
    const registration = {
      number: ++nextNumber,
      year: at.getUTCFullYear(),
      date: italianDate(at),
      segnatura,
      documentIds: ids,
      correlationKey: parameter('correlationKey'),
      flusso,
      ...(parameter('protocolloPrecedente') ? { precedent: parameter('protocolloPrecedente') } : {}),
    }
    registrations.push(registration)
    if (slow) await sleep(slow.slowMs)
    return { ProtocollazioneResult: { lngNumPG: registration.number, lngAnnoPG: registration.year, strDataPG: registration.date, lngErrNumber: 0 } }
  }

  const handlers = { Login, Inserimento, Protocollazione }
  const services: IServices = { DOCAREAProto: { DOCAREAProtoSoap: handlers } }
  return {
    /** The three operations, for another DOCAREA-shaped WSDL (the sandbox simulator's). */
    handlers,
    documents,
    registrations,
    problems,
    troubleOnce: troubles.once,
    /** Mounted where Halley's WSDL says; the adapter's endpoint is the simulator's url + this path. */
    mount: (wsdl: string): Mount => ({ path: '/HalleySuapDOCAREA/suap_local/suap.php', wsdl, services }),
  }
}

export type DocareaSimulator = ReturnType<typeof createDocareaSimulator>
