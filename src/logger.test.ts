import { Writable } from 'node:stream'
import { expect, it } from 'vitest'
import { createLogger, maskFiscalCodes } from './logger.ts'

it('masks fiscal codes, including omocodia variants, and leaves other text alone', () => {
  expect(maskFiscalCodes('cf RSSMRA85T10A562S ok')).toBe('cf RSS************S ok')
  expect(maskFiscalCodes('RSSMRA85T10A56NS')).toBe('RSS************S')
  expect(maskFiscalCodes('IUV 01234567890123456 and id comune-demo')).toBe('IUV 01234567890123456 and id comune-demo')
})

it('masks fiscal codes anywhere in a log line, nested objects included', () => {
  const lines: string[] = []
  const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) })
  createLogger('info', sink).info({ applicant: { fiscalCode: 'VRDGPP80A01H501U' }, path: '/citizens/VRDGPP80A01H501U' }, 'for VRDGPP80A01H501U')
  expect(lines.join('')).not.toContain('VRDGPP80A01H501U')
  expect(JSON.parse(lines[0] as string)).toMatchObject({ applicant: { fiscalCode: 'VRD************U' }, path: '/citizens/VRD************U', msg: 'for VRD************U' })
})
