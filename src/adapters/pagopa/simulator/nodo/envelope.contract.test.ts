// Every paSendRT / paSendRTV2 envelope the simulated Node builds, checked against the real
// paForNode.xsd with xmllint (read in place from ../shared/contracts, never copied), and the
// reading of the station's answers.
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { contractsAvailable } from '../../../../../test/support/upstream-spec.ts'
import { soapBodyElement, xsdErrors, xsdPaths } from '../../../../../test/support/xsd.ts'
import { romeLocal } from '../../../../rome-time.ts'
import { formatAmount } from '../../station/amount.ts'
import { paForNodeNs } from '../../station/requests.ts'
import { parsePaSendRtAnswer, paSendRtEnvelope, paSendRtOperations, type RtVersion } from './envelope.ts'
import { type Receipt, receiptOf, simulatedPsp } from './receipt.ts'
import { stationAnswer } from './test-station.ts'

const station = { idPA: '01234567890', idBrokerPA: '01234567890', idStation: '01234567890_01' }

function aReceipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    ...receiptOf(
      {
        organizationFiscalCode: '01234567890',
        companyName: 'Comune di Prova',
        iupd: '01234567890-tari-2026-1',
        status: 'VALID',
        debtor: { type: 'F', fiscalCode: 'RSSMRA80A01Y501X', fullName: 'Mario Rossi', email: 'mario.rossi@example.it' },
        option: {
          iuv: '01000000000012345',
          noticeNumber: '301000000000012345',
          amountCents: 12_345,
          description: 'TARI 2026 – rata unica',
          partial: false,
          paid: false,
          transfers: [
            {
              idTransfer: '1',
              amountCents: 12_345,
              organizationFiscalCode: '01234567890',
              iban: 'IT60X0542811101000000123456',
              remittanceInformation: 'TARI 2026',
              category: '9/0101100IM/',
            },
          ],
        },
      },
      { receiptId: 'c110729d258c4ab1b765fe902d0a11a2', at: new Date('2026-03-01T10:00:00.000Z'), psp: simulatedPsp },
    ),
    ...overrides,
  }
}

const transfer = aReceipt().transfers[0] as Receipt['transfers'][number]
const cases: Record<string, Receipt> = {
  'one transfer to an IBAN': aReceipt(),
  'a postal account, a legal-person debtor without e-mail, an office': aReceipt({
    transfers: [{ ...transfer, iban: undefined, postalIban: 'IT60X0760111101000000123456' }],
    debtor: { type: 'G', fiscalCode: '09876543210', fullName: 'Impresa Esempio S.r.l.' },
    officeName: 'Ufficio Tributi',
  }),
  'five beneficiaries with company names, 1 cent each but the first': aReceipt({
    paymentAmountCents: 12_349,
    transfers: (['1', '2', '3', '4', '5'] as const).map((idTransfer, i) => ({
      ...transfer,
      idTransfer,
      amountCents: i === 0 ? 12_345 : 1,
      organizationFiscalCode: `0123456789${i}`,
      companyName: `Ente ${i + 1}`,
    })),
  }),
  'the largest amount, an idCart, text that needs escaping, a name too long, an e-mail stEMail refuses': aReceipt({
    paymentAmountCents: 99_999_999_999,
    transfers: [{ ...transfer, amountCents: 99_999_999_999 }],
    description: 'Oneri <urbanizzazione> & "diritti" d’istruttoria – è più',
    paymentNote: 'cart-2026-000042',
    debtor: { type: 'F', fiscalCode: 'RSSMRA80A01Y501X', fullName: `Maria ${'Bianchi '.repeat(12)}`.trim(), email: 'maria bianchi@example.it' },
  }),
  'the smallest amount, no fee': aReceipt({ paymentAmountCents: 1, transfers: [{ ...transfer, amountCents: 1 }], psp: { ...simulatedPsp, feeCents: 0 } }),
}

describe('paSendRT envelopes', () => {
  it('write amounts as decimal euro with exactly two decimals (FACTS §7)', () => {
    expect([formatAmount(1), formatAmount(10), formatAmount(100), formatAmount(12_345), formatAmount(99_999_999_999)]).toEqual([
      '0.01',
      '0.10',
      '1.00',
      '123.45',
      '999999999.99',
    ])
    expect(() => formatAmount(1.5)).toThrow(RangeError)
  })

  it('use the operation name as SOAPAction and the xsd wrapper of each version', () => {
    for (const version of ['V1', 'V2'] as const) {
      const envelope = paSendRtEnvelope(version, station, aReceipt())
      expect(envelope).toContain(`<paf:${paSendRtOperations[version].request} xmlns:paf="${paForNodeNs}">`)
      // Children unqualified (FACTS §8): no prefix below the wrapper.
      expect(envelope).toMatch(/\n\s+<idPA>01234567890<\/idPA>/)
    }
    expect(paSendRtOperations.V2).toEqual({ soapAction: 'paSendRTV2', request: 'paSendRTV2Request', response: 'paSendRTV2Response' })
  })

  it('write the payment time in Rome local time, as the Node does', () => {
    expect(romeLocal(new Date('2026-07-01T22:30:00.000Z'))).toBe('2026-07-02T00:30:00')
    expect(aReceipt()).toMatchObject({ paymentDateTime: '2026-03-01T11:00:00', applicationDate: '2026-03-01', transferDate: '2026-03-02' })
  })

  it('put paymentNote and transfer companyName only in V2 (ctReceiptV2, ctTransferPAReceiptV2)', () => {
    const receipt = cases['five beneficiaries with company names, 1 cent each but the first'] as Receipt
    expect(paSendRtEnvelope('V1', station, { ...receipt, paymentNote: 'x' })).not.toMatch(/<companyName>Ente|<paymentNote>/)
    expect(paSendRtEnvelope('V2', station, { ...receipt, paymentNote: 'x' })).toMatch(/<companyName>Ente 1<\/companyName>[\s\S]*<paymentNote>x<\/paymentNote>/)
  })
})

describe.runIf(contractsAvailable('pagoPA nodo XSD conformance'))('conformance with paForNode.xsd', () => {
  for (const [name, receipt] of Object.entries(cases)) {
    for (const version of ['V1', 'V2'] as RtVersion[]) {
      it(`${version}, ${name}: a well-formed envelope whose body validates`, () => {
        const envelope = paSendRtEnvelope(version, station, receipt)
        expect(wellFormednessErrors(envelope)).toEqual([])
        expect(xsdErrors(soapBodyElement(envelope), xsdPaths.paForNode)).toEqual([])
      })
    }
  }

  it('is a real check: xmllint refuses a one-decimal amount, qualified children and a missing element', () => {
    const body = soapBodyElement(paSendRtEnvelope('V2', station, aReceipt()))
    expect(xsdErrors(body.replace('<paymentAmount>123.45<', '<paymentAmount>123.5<'), xsdPaths.paForNode).join('\n')).toMatch(/paymentAmount/)
    expect(xsdErrors(body.replace('<idPA>', '<paf:idPA>').replace('</idPA>', '</paf:idPA>'), xsdPaths.paForNode).join('\n')).toMatch(/idPA/)
    expect(xsdErrors(body.replace(/<idChannel>.*<\/idChannel>/, ''), xsdPaths.paForNode).join('\n')).toMatch(/channelDescription|idChannel/)
  })

  it("validates the answers a station gives, as the tests' stations write them", () => {
    for (const version of ['V1', 'V2'] as const) {
      expect(xsdErrors(soapBodyElement(stationAnswer(version, 'OK')), xsdPaths.paForNode)).toEqual([])
      expect(xsdErrors(soapBodyElement(stationAnswer(version, 'KO')), xsdPaths.paForNode)).toEqual([])
    }
  })
})

describe("reading the station's answer", () => {
  it('reads OK, and KO with its fault', async () => {
    expect(await parsePaSendRtAnswer('V1', stationAnswer('V1', 'OK'))).toEqual({ kind: 'response', outcome: 'OK' })
    expect(await parsePaSendRtAnswer('V2', stationAnswer('V2', 'KO'))).toEqual({
      kind: 'response',
      outcome: 'KO',
      fault: { faultCode: 'PAA_SEMANTICA', faultString: 'Errore semantico', id: '01234567890', description: 'ricevuta già acquisita' },
    })
  })

  it('reads a SOAP Fault, and says what is wrong with anything else', async () => {
    const fault = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>`
    expect(await parsePaSendRtAnswer('V1', fault)).toEqual({ kind: 'soapFault', faultcode: 's:Client', faultstring: 'bad' })
    expect(await parsePaSendRtAnswer('V1', 'Internal Server Error')).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/^not XML/) })
    expect(await parsePaSendRtAnswer('V2', stationAnswer('V1', 'OK'))).toEqual({ kind: 'unreadable', reason: 'no paSendRTV2Response in the Body' })
  })
})

/** xmllint's complaints about the whole envelope as XML (namespace-well-formed), or []. */
function wellFormednessErrors(xml: string): string[] {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '-'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'] })
    return []
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error)
      .split('\n')
      .filter((line) => line.trim())
  }
}
