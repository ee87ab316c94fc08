// The sandbox protocollo's magic values (design §6): put one of these in a practice's subject and the
// Protocollazione of that practice misbehaves in the named way. They travel inside the Segnatura's
// Oggetto, so the simulator sees them whatever profile built it.

export const protocolloMagicSubjects = {
  /** In-band error: lngErrNumber 108 "Mittente non valido" (the adapter says rejected, code 108). */
  inBandError: '[sim:errore]',
  /** A SOAP fault, HTTP 500 (rejected). */
  fault: '[sim:fault]',
  /** Registers, then answers after slowMs: the adapter times out without knowing (outcome_unknown). */
  slow: '[sim:lento]',
  /** Success with lngNumPG 0 (protocol). */
  noNumber: '[sim:senza-numero]',
  /** HTTP 503 with a text body, before anything is registered (the adapter cannot know that: outcome_unknown). */
  unavailable: '[sim:503]',
  /** HTTP 200 with a body that is not XML. */
  notXml: '[sim:non-xml]',
  /** An answer carrying a DOCTYPE with an external entity (the adapter refuses it unread). */
  dtd: '[sim:dtd]',
  // Transient troubles, once per practice, that the adapter may safely retry: nothing is registered.
  /** The first Protocollazione of the practice: in-band 901 "occupato" (settingsFor maps it to unavailable), then it registers. */
  busy: '[sim:occupato]',
  /**
   * The first Protocollazione of the practice: in-band 902 "sessione scaduta" (unavailable), and the next
   * Login answers after slowMs, past the adapter's timeout — a timeout before the registering call, retried.
   * DOCAREA's Login carries only the account, so the slow one is the next to arrive: that practice's own
   * retry when practices come one at a time, another practice's when many are in flight.
   */
  slowLogin: '[sim:login-lento]',
} as const

export type ProtocolloMagic = keyof typeof protocolloMagicSubjects

/** The magic value a Protocollazione envelope carries, if any. */
export function magicIn(envelope: string): ProtocolloMagic | undefined {
  return (Object.keys(protocolloMagicSubjects) as ProtocolloMagic[]).find((name) => envelope.includes(protocolloMagicSubjects[name]))
}

/** The in-band codes of the transient troubles; a sandbox's settings map them to `unavailable`. */
export const transientCodes = {
  busy: { code: '901', message: 'Protocollo occupato: riprovare più tardi' },
  sessionExpired: { code: '902', message: 'Sessione scaduta: ripetere il Login' },
} as const

/** The practice a Protocollazione is for: the correlation key Snodo puts in the Segnatura (escaped in strDocumentInfo). */
export function correlationKeyIn(envelope: string): string | undefined {
  return /nome=(?:&quot;|")correlationKey(?:&quot;|")\s+valore=(?:&quot;|")([^&"<]+)/.exec(envelope)?.[1]
}

/** A Protocollazione refused in-band, written out: answered at once, so no other call can take it. */
export const refusedAnswer = ({ code, message }: { code: string; message: string }) =>
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
  '<ProtocollazioneResponse xmlns="urn:snodo:sandbox:protocollo"><ProtocollazioneResult><lngNumPG>0</lngNumPG><lngAnnoPG>0</lngAnnoPG>' +
  `<lngErrNumber>${code}</lngErrNumber><strErrString>${message}</strErrString></ProtocollazioneResult></ProtocollazioneResponse></soap:Body></soap:Envelope>`

export const dtdAnswer =
  '<?xml version="1.0"?><!DOCTYPE soap:Envelope SYSTEM "file:///etc/passwd" [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ProtocollazioneResponse xmlns="urn:snodo:sandbox:protocollo">' +
  '<ProtocollazioneResult><lngNumPG>&xxe;</lngNumPG><lngAnnoPG>0</lngAnnoPG><lngErrNumber>0</lngErrNumber></ProtocollazioneResult>' +
  '</ProtocollazioneResponse></soap:Body></soap:Envelope>'
