import { Writable } from 'node:stream'
import { expect, it } from 'vitest'
import { createLogger, maskFiscalCodes } from './logger.ts'

it('masks fiscal codes, including omocodia variants and lower case, keeping their length', () => {
  expect(maskFiscalCodes('cf RSSMRA85T10A562S ok')).toBe('cf RSS************S ok')
  expect(maskFiscalCodes('RSSMRA85T10A56NS')).toBe('RSS************S')
  expect(maskFiscalCodes('rssmra85t10a562s')).toBe('rss************s')
  expect(maskFiscalCodes('/citizens/RSSMRA85T10A562S/timeline and VRDGPP80A01H501U')).toBe('/citizens/RSS************S/timeline and VRD************U')
})

it('leaves other text alone, codes of other shapes included', () => {
  for (const text of ['IUV 01234567890123456 and id comune-demo', 'P.IVA 00000000001', 'ABCDEFGHIJKLMNOP', 'RSSMRA85T10A562SX', 'XRSSMRA85T10A562S']) {
    expect(maskFiscalCodes(text)).toBe(text)
  }
})

it('masks fiscal codes anywhere in a log line, nested objects and arrays included', () => {
  const lines: string[] = []
  const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) })
  createLogger('info', sink).info(
    { applicant: { fiscalCode: 'VRDGPP80A01H501U', family: [{ cf: 'RSSMRA85T10A562S' }] }, path: '/citizens/VRDGPP80A01H501U', tenant: 'comune-a' },
    'for VRDGPP80A01H501U',
  )
  expect(lines.join('')).not.toMatch(/VRDGPP80A01H501U|RSSMRA85T10A562S/)
  expect(JSON.parse(lines[0] as string)).toMatchObject({
    applicant: { fiscalCode: 'VRD************U', family: [{ cf: 'RSS************S' }] },
    path: '/citizens/VRD************U',
    tenant: 'comune-a',
    msg: 'for VRD************U',
  })
})
