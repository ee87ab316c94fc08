// SOAP 1.1 in and out, with nothing of paForNode in it: read a body of bounded size, refuse what is
// not plain XML before any parser sees it, parse the envelope into a small element tree, and write
// a SOAP Fault. SOAP 1.1 §3: "A SOAP message MUST NOT contain a Document Type Declaration" — so a
// DTD, and with it every external entity (XXE) and entity-expansion bomb, is refused unparsed.
import xml2js from 'xml2js'

export const soapEnvNs = 'http://schemas.xmlsoap.org/soap/envelope/'

/** An element: its local name, namespace URI, text (trimmed) and child elements in document order. */
export type XNode = { name: string; ns: string; text: string; children: XNode[] }

export type SoapFaultCode = 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand'

/** The message cannot be answered as a paForNode operation: it gets a SOAP Fault (HTTP 500). */
export class SoapRefusal extends Error {
  readonly faultcode: SoapFaultCode
  /** A short word for logs and metrics: too_large, dtd, not_xml… */
  readonly reason: string
  constructor(reason: string, message: string, faultcode: SoapFaultCode = 'Client') {
    super(message)
    this.name = 'SoapRefusal'
    this.reason = reason
    this.faultcode = faultcode
  }
}

/** The body, read chunk by chunk and abandoned as soon as it passes maxBytes (Content-Length first). */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new SoapRefusal('too_large', `The envelope exceeds ${maxBytes} bytes`)
  const declared = Number.parseInt(request.headers.get('content-length') ?? '', 10)
  if (declared > maxBytes) throw tooLarge()
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
// Any markup declaration: DOCTYPE, ENTITY, ELEMENT, ATTLIST, NOTATION. Comments and CDATA are fine.
const declaration = /<!(?!--|\[CDATA\[)/

// The parser's cost grows with the number of tags and, with namespaces on, with the square of one
// element's attributes: a second of CPU for a crafted 1 MiB envelope. A real paForNode call has a few
// hundred tags and a handful of attributes, so these bounds stop only such envelopes.
const maxTags = 5_000
const maxAttributes = 1_000

function countUpTo(text: string, pattern: RegExp, limit: number): number {
  let n = 0
  for (const _ of text.matchAll(pattern)) if (++n > limit) break
  return n
}

/** The envelope's text, once it is known to be UTF-8 with no DTD, no NUL and a sane number of tags and attributes. */
export function guardText(body: Uint8Array): string {
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    throw new SoapRefusal('not_utf8', 'The envelope is not UTF-8 text')
  }
  if (declaration.test(text)) throw new SoapRefusal('dtd', 'A SOAP message must not contain a document type declaration or entity declarations')
  if (text.includes('\u0000')) throw new SoapRefusal('not_xml', 'The envelope is not XML')
  if (countUpTo(text, /</g, maxTags) > maxTags) throw new SoapRefusal('too_complex', `The envelope has more than ${maxTags} tags`)
  if (countUpTo(text, /=\s*["']/g, maxAttributes) > maxAttributes)
    throw new SoapRefusal('too_complex', `The envelope has more than ${maxAttributes} attributes`)
  return text
}

type RawNode = { $ns?: { uri: string; local: string }; $?: Record<string, { uri: string; local: string; value: string }>; _?: string; $$?: RawNode[] }

const maxDepth = 32

function toNode(raw: RawNode, depth: number): XNode {
  if (depth > maxDepth) throw new SoapRefusal('too_deep', `The envelope nests elements deeper than ${maxDepth}`)
  return {
    name: raw.$ns?.local ?? '',
    ns: raw.$ns?.uri ?? '',
    text: typeof raw._ === 'string' ? raw._.trim() : '',
    children: (raw.$$ ?? []).map((child) => toNode(child, depth + 1)),
  }
}

/** The one element inside soap:Body, after checking the envelope around it. */
export async function parseEnvelope(text: string): Promise<XNode> {
  let parsed: Record<string, RawNode> | null
  try {
    // strict sax: only the five predefined entities and character references are known, none expanded from a DTD.
    parsed = await xml2js.parseStringPromise(text, { xmlns: true, explicitChildren: true, preserveChildrenOrder: true, strict: true })
  } catch {
    throw new SoapRefusal('not_xml', 'The envelope is not well-formed XML')
  }
  const rawRoot = parsed && Object.values(parsed)[0]
  if (!rawRoot) throw new SoapRefusal('not_xml', 'The envelope is not XML')
  const root = toNode(rawRoot, 0)
  if (root.name !== 'Envelope') throw new SoapRefusal('not_soap', 'The document is not a SOAP envelope')
  // SOAP 1.1 §4.4.1: an envelope in another namespace is a version error.
  if (root.ns !== soapEnvNs) throw new SoapRefusal('version_mismatch', `Only SOAP 1.1 envelopes (${soapEnvNs}) are understood`, 'VersionMismatch')
  const parts = root.children.filter((c) => c.ns === soapEnvNs)
  if (parts.length !== root.children.length) throw new SoapRefusal('not_soap', 'The envelope holds elements other than Header and Body')
  const body = parts.find((c) => c.name === 'Body')
  const header = parts.find((c) => c.name === 'Header')
  if (!body || parts.length > (header ? 2 : 1) || (header && parts[0] !== header))
    throw new SoapRefusal('not_soap', 'The envelope must hold an optional Header and then one Body')
  const headerEntries = (rawRoot.$$ ?? []).find((c) => c.$ns?.local === 'Header')?.$$ ?? []
  // SOAP 1.1 §4.2.3: a header entry with mustUnderstand="1" that we do not process must fail the call.
  if (headerEntries.some((entry) => Object.values(entry.$ ?? {}).some((a) => a.uri === soapEnvNs && a.local === 'mustUnderstand' && a.value.trim() === '1'))) {
    throw new SoapRefusal('must_understand', 'A header entry requires processing this station does not do', 'MustUnderstand')
  }
  if (body.children.length !== 1) throw new SoapRefusal('not_soap', 'The Body must hold exactly one element')
  return body.children[0] as XNode
}

const escapeXml = (s: string) => s.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch] as string)

/** A SOAP 1.1 Fault envelope (§4.4), sent with HTTP 500 (§6.2). */
export function soapFault(faultcode: SoapFaultCode, faultstring: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${soapEnvNs}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:${faultcode}</faultcode><faultstring>${escapeXml(faultstring)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
}
