// A creditor's station for tests: it takes paSendRT / paSendRTV2 as the pagoPA Node sends them,
// keeps each request, and answers a well-formed paSendRTRes (OK, or KO with a PAA fault). Snodo's own
// endpoint is the real station; this one lets the Node simulator be tested on its own.
import { Hono } from 'hono'
import { paForNodeNs } from '../../station/requests.ts'
import { paSendRtOperations, type RtVersion } from './envelope.ts'

export type StationRequest = { soapAction: string; contentType: string; body: string }

export function createTestStation(answer: (request: StationRequest) => 'OK' | 'KO' | 'http500' = () => 'OK') {
  const requests: StationRequest[] = []
  const app = new Hono()
  app.post('/', async (c) => {
    const request = { soapAction: c.req.header('soapaction') ?? '', contentType: c.req.header('content-type') ?? '', body: await c.req.text() }
    requests.push(request)
    const version: RtVersion = request.soapAction.includes('paSendRTV2') ? 'V2' : 'V1'
    const outcome = answer(request)
    if (outcome === 'http500') return c.text('Internal Server Error', 500)
    return c.body(stationAnswer(version, outcome), 200, { 'content-type': 'text/xml; charset=utf-8' })
  })
  return { app, requests }
}

/** A station's answer, namespaces declared on the Envelope as SOAP stacks usually do. */
export function stationAnswer(version: RtVersion, outcome: 'OK' | 'KO'): string {
  const fault =
    outcome === 'KO'
      ? '<fault><faultCode>PAA_SEMANTICA</faultCode><faultString>Errore semantico</faultString><id>01234567890</id><description>ricevuta già acquisita</description></fault>'
      : ''
  const wrapper = paSendRtOperations[version].response
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:paf="${paForNodeNs}"><soapenv:Body><paf:${wrapper}><outcome>${outcome}</outcome>${fault}</paf:${wrapper}></soapenv:Body></soapenv:Envelope>`
}
