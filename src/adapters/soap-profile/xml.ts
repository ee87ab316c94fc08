// The XML a profile builds (the segnatura passed as a string argument) and the XML a vendor hides in
// a string answer (DocER's protocollaById `return`). Built with xml2js, which escapes text and
// attributes once; the soap library escapes the whole document once more as it becomes the text of
// a SOAP argument — that second escaping is the envelope's, so nobody here escapes by hand
// (backoffice/FACTS.md §3.5: "escape it once only"). Parsed only without a DTD: no DOCTYPE, no
// ENTITY, so no external entity is ever resolved and no entity expands (design §7: XXE, bombs).
import { Builder, parseString } from 'xml2js'

/** Whether a text carries a document type declaration or an entity declaration. */
export function carriesDtd(text: string): boolean {
  return /<!\s*(DOCTYPE|ENTITY)/i.test(text)
}

export class XmlRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'XmlRefused'
  }
}

/**
 * An XML document as a plain object (xml2js conventions: attributes under `$`, text under `_` when
 * there are attributes too, namespace prefixes dropped, one child = an object, several = an array).
 */
export function parseXml(text: string): Record<string, unknown> {
  const source = text.replace(/^\uFEFF/, '').trim()
  if (carriesDtd(source)) throw new XmlRefused('the XML carries a DTD (DOCTYPE or ENTITY): refused, nothing in it was read')
  if (!source.startsWith('<')) throw new XmlRefused('not XML')
  let outcome: { error?: unknown; value?: Record<string, unknown> } | undefined
  // xml2js calls back synchronously unless `async: true`; the first outcome wins (it may call twice on errors).
  parseString(
    source,
    { explicitArray: false, trim: true, strict: true, tagNameProcessors: [stripPrefix], attrNameProcessors: [stripPrefix] },
    (error, value) => {
      outcome ??= { error, value: value as Record<string, unknown> }
    },
  )
  if (!outcome) throw new XmlRefused('the XML parser did not finish')
  if (outcome.error || !outcome.value || typeof outcome.value !== 'object')
    throw new XmlRefused(`not well-formed XML: ${String((outcome.error as Error)?.message ?? 'empty').split('\n')[0]}`)
  return outcome.value
}

function stripPrefix(name: string): string {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name
}

/** A document from an xml2js tree: `$` holds attributes, `_` text, arrays repeat an element. */
export function buildXml(root: string, body: unknown): string {
  const builder = new Builder({ rootName: root, xmldec: { version: '1.0', encoding: 'UTF-8' }, renderOpts: { pretty: false }, headless: false })
  return builder.buildObject(body)
}
