// The conformance helper itself: a validator that passes everything would prove nothing.
import { describe, expect, it } from 'vitest'
import { contractsAvailable } from './upstream-spec.ts'
import { soapBodyElement, soapBodyErrors, xsdPaths } from './xsd.ts'

const res = (declareOn: 'envelope' | 'element', outcome: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"${declareOn === 'envelope' ? ' xmlns:paf="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"' : ''}><s:Body>
    <paf:paSendRTRes${declareOn === 'element' ? ' xmlns:paf="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"' : ''}><outcome>${outcome}</outcome></paf:paSendRTRes></s:Body></s:Envelope>`

describe('soapBodyElement', () => {
  it('carries the namespace declarations the body element inherits, once', () => {
    expect(soapBodyElement(res('envelope', 'OK'))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<paf:paSendRTRes xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:paf="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"><outcome>OK</outcome></paf:paSendRTRes>',
    )
    expect(soapBodyElement(res('element', 'OK')).match(/xmlns:paf=/g)).toHaveLength(1)
  })

  it('refuses an envelope without a body element', () => {
    expect(() => soapBodyElement('<s:Envelope xmlns:s="x"><s:Body/></s:Envelope>')).toThrow(/empty/)
    expect(() => soapBodyElement('<a/>')).toThrow(/Envelope/)
  })
})

describe.runIf(contractsAvailable('xsd helper (paForNode.xsd)'))('soapBodyErrors against paForNode.xsd', () => {
  it('passes a valid answer wherever its namespace is declared', () => {
    expect(soapBodyErrors(res('envelope', 'OK'), xsdPaths.paForNode)).toEqual([])
    expect(soapBodyErrors(res('element', 'KO'), xsdPaths.paForNode)).toEqual([])
  })

  it('fails a wrong value, a wrong element and an unqualified wrapper', () => {
    expect(soapBodyErrors(res('envelope', 'MAYBE'), xsdPaths.paForNode).join('\n')).toMatch(/outcome/)
    expect(soapBodyErrors(res('envelope', 'OK').replaceAll('paSendRTRes', 'paSendRTReq'), xsdPaths.paForNode)).not.toEqual([])
    expect(soapBodyErrors(res('envelope', 'OK').replaceAll('paf:', ''), xsdPaths.paForNode)).not.toEqual([])
  })
})
