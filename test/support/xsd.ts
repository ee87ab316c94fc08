// XML Schema conformance with libxml2's xmllint, against the real XSDs in ../shared/contracts (never
// copied here). SOAP contracts describe only what goes inside soap:Body, so soapBodyErrors validates
// that one element as a document of its own, carrying over the namespace declarations it inherits.
import { execFileSync } from 'node:child_process'
import { contractsDir } from './upstream-spec.ts'

export const xsdPaths = {
  /** The creditor station's side of the nodo: paVerifyPaymentNotice, paGetPayment(V2), paSendRT(V2). */
  paForNode: `${contractsDir}pagopa/nodo/wsdl/xsd/paForNode.xsd`,
  /** The nodo's side: reporting flows. */
  nodeForPa: `${contractsDir}pagopa/nodo/wsdl/xsd/nodeForPa.xsd`,
  /** impresainungiorno's riepilogo-pratica-suap (DPR 160/2010 technical annex), with TipiElementari.xsd beside it. */
  suap: `${contractsDir}backoffice/suap-impresainungiorno/Suap.xsd`,
} as const

/** xmllint's complaints about `xml` against the schema at `xsdPath`, or [] when it validates. */
export function xsdErrors(xml: string, xsdPath: string): string[] {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsdPath, '-'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 })
    return []
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer }
    if (e.code === 'ENOENT') throw new Error('xmllint is not installed (Debian: apt-get install libxml2-utils)')
    const lines = (e.stderr?.toString() ?? String(error)).split('\n').filter((l) => l.trim() !== '' && !/fails to validate$/.test(l))
    return lines.length > 0 ? lines : ['xmllint failed without a message']
  }
}

const startTag = (local: string) => new RegExp(`<((?:[A-Za-z_][\\w.-]*:)?${local})\\b([^>]*?)(/?)>`)
const declarations = (attributes: string) =>
  [...attributes.matchAll(/\sxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((m) => ({ prefix: m[1] ?? '', uri: m[2] ?? m[3] ?? '' }))

/**
 * The element inside soap:Body as a standalone document: the namespace declarations of Envelope and
 * Body that it does not redeclare are added to its start tag. Meant for envelopes without comments or
 * CDATA around the Body tags — the ones tests build and Snodo writes.
 */
export function soapBodyElement(envelope: string): string {
  const envelopeTag = startTag('Envelope').exec(envelope)
  const bodyTag = startTag('Body').exec(envelope)
  if (!envelopeTag || !bodyTag) throw new Error('no soap Envelope/Body start tag')
  if (bodyTag[3] === '/') throw new Error('the soap Body is empty')
  const close = envelope.lastIndexOf(`</${bodyTag[1]}`)
  const inner = envelope.slice(bodyTag.index + bodyTag[0].length, close).replace(/^\s*(<!--[\s\S]*?-->\s*)*/, '')
  const own = /^<([\w.:-]+)([^>]*?)(\/?)>/.exec(inner)
  if (!own) throw new Error('the soap Body holds no element')
  const declared = new Set(declarations(own[2] ?? '').map((d) => d.prefix))
  const inherited = new Map<string, string>()
  for (const d of [...declarations(envelopeTag[2] ?? ''), ...declarations(bodyTag[2] ?? '')]) if (!declared.has(d.prefix)) inherited.set(d.prefix, d.uri)
  const added = [...inherited].map(([prefix, uri]) => ` xmlns${prefix ? `:${prefix}` : ''}="${uri}"`).join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${own[1]}${added}${inner.slice(own[1]!.length + 1)}`.trimEnd()
}

/** Errors of the element inside soap:Body against the schema, or [] when it validates. */
export function soapBodyErrors(envelope: string, xsdPath: string): string[] {
  return xsdErrors(soapBodyElement(envelope), xsdPath)
}
