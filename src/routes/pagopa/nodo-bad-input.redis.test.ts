// Hostile and broken envelopes at /pagopa/nodo (design §7): DTDs, external entities and entity bombs
// are refused before any parser sees them; oversized bodies are cut off while streaming; what is not
// a SOAP 1.1 paForNode call gets a SOAP Fault. Each one is a receipt for a real payment, which must
// stay as it was; none gets a stack trace or a problem+json.
import fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { aReceipt, nodoEnvelope, sendRTCall } from '../../../test/support/nodo-calls.ts'
import { type Call, createNodoStation, stationA } from '../../../test/support/nodo-station.ts'
import { maxEnvelopeBytes } from '../../adapters/pagopa/station/answer.ts'
import type { StoredPayment } from '../../payments/payment.ts'

let s: Awaited<ReturnType<typeof createNodoStation>>
let p: StoredPayment
let valid: string
beforeAll(async () => {
  s = await createNodoStation('pagoPA nodo station, bad input')
})
beforeEach(async () => {
  p = await s.aPayment()
  valid = sendRTCall(
    1,
    stationA,
    aReceipt({ receiptId: 'rt-bad', noticeNumber: p.data.noticeNumber, fiscalCode: stationA.idPA, creditorReferenceId: p.data.iuv, paymentAmount: '10.50' }),
  )
})
afterAll(() => s.close())

/** A SOAP 1.1 Fault with HTTP 500, text/xml, nothing of our insides, the payment untouched, the refusal logged. */
async function expectRefused(answer: Call, faultcode: string, reason: string) {
  expect(answer.status).toBe(500)
  expect(answer.contentType).toMatch(/^text\/xml/)
  expect(answer.answer.soapFault).toMatchObject({ faultcode: `soapenv:${faultcode}` })
  expect(answer.text).not.toMatch(/ at |\.ts:|root:/)
  expect(await s.stored(p)).toEqual(p)
  expect(s.logs).toContainEqual(expect.objectContaining({ level: 40, reason, msg: expect.stringMatching(/^nodo call refused/) }))
}

const withDoctype = (envelope: string, doctype: string, description: string) =>
  envelope.replace('?>', `?>${doctype}`).replace('<description>TARI 2025 rata unica</description>', `<description>${description}</description>`)

describe('DTDs are never resolved nor expanded', () => {
  it('XXE: an external entity naming /etc/passwd', async () => {
    const xxe = withDoctype(valid, '<!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;')
    await expectRefused(await s.call(xxe, { invalid: true }), 'Client', 'dtd')
  })

  it('billion laughs: nested internal entities', async () => {
    const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('')
    await expectRefused(await s.call(withDoctype(valid, `<!DOCTYPE lolz [${lol}]>`, '&lol9;'), { invalid: true }), 'Client', 'dtd')
  })

  it.each([
    ['an external DTD', '<!DOCTYPE soapenv:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">', 'x'],
    ['a parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>', 'x'],
    ['a lower-case doctype', '<!doctype r>', 'x'],
  ])('%s', async (_, doctype, description) => {
    await expectRefused(await s.call(withDoctype(valid, doctype, description), { invalid: true }), 'Client', 'dtd')
  })

  it('an entity reference with no DTD is not XML', async () => {
    await expectRefused(await s.call(withDoctype(valid, '', '&xxe;'), { invalid: true }), 'Client', 'not_xml')
  })
})

describe('size', () => {
  it('a 5 MB envelope', async () => {
    const big = valid.replace('<description>TARI 2025 rata unica</description>', `<description>${'x'.repeat(5 * 1024 * 1024)}</description>`)
    await expectRefused(await s.call(big, { invalid: true }), 'Client', 'too_large')
  })

  it('an endless body is cut off soon after the limit, not read to the end', async () => {
    let pulled = 0
    const chunk = new TextEncoder().encode(`<a>${'x'.repeat(64 * 1024 - 7)}</a>`)
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength
        controller.enqueue(chunk)
      },
    })
    await expectRefused(await s.call(endless), 'Client', 'too_large')
    expect(pulled).toBeLessThan(maxEnvelopeBytes + 4 * chunk.byteLength)
  })

  it.each([
    ['a flood of elements', '<a/>'.repeat(100_000)],
    ['an element with a flood of attributes', `<a ${Array.from({ length: 20_000 }, (_, i) => `x${i}="1"`).join(' ')}/>`],
    ['elements nested 50 000 deep', `${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}`],
  ])('%s, under the size limit, is refused before parsing', async (_, flood) => {
    await expectRefused(await s.call(valid.replace('<idPA>', `${flood}<idPA>`), { invalid: true }), 'Client', 'too_complex')
  })

  it('elements nested deeper than any paForNode message', async () => {
    await expectRefused(await s.call(valid.replace('<idPA>', `${'<a>'.repeat(40)}${'</a>'.repeat(40)}<idPA>`), { invalid: true }), 'Client', 'too_deep')
  })

  it('a declared Content-Length over the limit is refused before reading', async () => {
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({ pull: (c) => (pulled++, c.enqueue(new Uint8Array(1024))) })
    await expectRefused(await s.call(body, { headers: { 'content-length': String(5 * 1024 * 1024) } }), 'Client', 'too_large')
    expect(pulled).toBeLessThanOrEqual(1)
  })
})

describe('not a SOAP 1.1 paForNode call', () => {
  it.each([
    ['plain text', 'hello', 'not_xml'],
    ['JSON', JSON.stringify({ receipt: { noticeNumber: '301000000000000001' } }), 'not_xml'],
    ['an empty body', '', 'not_xml'],
    ['broken XML', '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>', 'not_xml'],
    ['a bare request element', '<paSendRTReq xmlns="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"/>', 'not_soap'],
    ['an empty Body', '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>', 'not_soap'],
    ['a NUL character', '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>\u0000</e:Body></e:Envelope>', 'not_xml'],
  ])('%s', async (_, body, reason) => {
    await expectRefused(await s.call(body, { invalid: true }), 'Client', reason)
  })

  it('bytes that are not UTF-8, and UTF-16', async () => {
    await expectRefused(await s.call(new Uint8Array([0xff, 0xfe, 0x3c, 0x00, 0xc3, 0x28])), 'Client', 'not_utf8')
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')])
    const answer = await s.call(new Uint8Array(utf16))
    expect(answer.answer.soapFault?.faultcode).toBe('soapenv:Client')
    expect(await s.stored(p)).toEqual(p)
  })

  it('a SOAP 1.2 envelope → VersionMismatch', async () => {
    const soap12 = nodoEnvelope('paSendRTReq', {}, { envelopeNamespace: 'http://www.w3.org/2003/05/soap-envelope' })
    await expectRefused(await s.call(soap12, { invalid: true }), 'VersionMismatch', 'version_mismatch')
  })

  it('an operation paForNode does not have', async () => {
    await expectRefused(await s.call(valid.replaceAll('paSendRTReq', 'paPayRPT'), { invalid: true }), 'Client', 'unknown_operation')
  })

  it('two elements in the Body', async () => {
    await expectRefused(await s.call(valid.replace('</soapenv:Body>', '<nod:paSendRTReq/></soapenv:Body>'), { invalid: true }), 'Client', 'not_soap')
  })

  it('a SOAPAction that names another operation than the body element', async () => {
    await expectRefused(await s.call(valid, { soapAction: 'paVerifyPaymentNotice' }), 'Client', 'soapaction_mismatch')
  })

  it('a header entry that must be understood → MustUnderstand', async () => {
    const header = '<soapenv:Header><wsse:Security xmlns:wsse="urn:x" soapenv:mustUnderstand="1"/></soapenv:Header>'
    await expectRefused(await s.call(valid.replace('<soapenv:Header/>', header)), 'MustUnderstand', 'must_understand')
  })
})

it('whatever arrives, the answer is XML: a SOAP Fault (500) or a …Res (200), never problem+json', async () => {
  const junk = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(valid, valid.slice(0, 300), valid.replace('<outcome>OK</outcome>', '<outcome>MAYBE</outcome>'), valid.replace(/<idPA>.*?<\/idPA>/, '')),
    fc.tuple(fc.nat({ max: valid.length }), fc.string()).map(([at, noise]) => valid.slice(0, at) + noise + valid.slice(at)),
  )
  await fc.assert(
    fc.asyncProperty(junk, async (body) => {
      const answer = await s.call(body, { invalid: true })
      expect([200, 500]).toContain(answer.status)
      expect(answer.contentType).toMatch(/^text\/xml/)
      if (answer.status === 500) expect(answer.answer.soapFault?.faultcode).toMatch(/^soapenv:/)
      else expect(answer.answer.outcome).toMatch(/^(OK|KO)$/)
    }),
    { numRuns: 150 },
  )
})
