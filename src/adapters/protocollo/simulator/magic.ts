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
} as const

export type ProtocolloMagic = keyof typeof protocolloMagicSubjects

/** The magic value a Protocollazione envelope carries, if any. */
export function magicIn(envelope: string): ProtocolloMagic | undefined {
  return (Object.keys(protocolloMagicSubjects) as ProtocolloMagic[]).find((name) => envelope.includes(protocolloMagicSubjects[name]))
}

export const dtdAnswer =
  '<?xml version="1.0"?><!DOCTYPE soap:Envelope SYSTEM "file:///etc/passwd" [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ProtocollazioneResponse xmlns="urn:snodo:sandbox:protocollo">' +
  '<ProtocollazioneResult><lngNumPG>&xxe;</lngNumPG><lngAnnoPG>0</lngAnnoPG><lngErrNumber>0</lngErrNumber></ProtocollazioneResult>' +
  '</ProtocollazioneResponse></soap:Body></soap:Envelope>'
