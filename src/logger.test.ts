import { Writable } from 'node:stream'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { createLogger, maskFiscalCodes, maskLogLine } from './logger.ts'

it('masks fiscal codes, including omocodia variants and lower case, keeping their length', () => {
  expect(maskFiscalCodes('cf RSSMRA85T10A562S ok')).toBe('cf RSS************S ok')
  expect(maskFiscalCodes('RSSMRA85T10A56NS')).toBe('RSS************S')
  expect(maskFiscalCodes('rssmra85t10a562s')).toBe('rss************s')
  expect(maskFiscalCodes('/citizens/RSSMRA85T10A562S/timeline and VRDGPP80A01H501U')).toBe('/citizens/RSS************S/timeline and VRD************U')
})

it('masks a code glued to word characters, on either side', () => {
  expect(maskFiscalCodes('/v1/tenants/t/citizens/RSSMRA80A01H501U_x/timeline')).toBe('/v1/tenants/t/citizens/RSS************U_x/timeline')
  expect(maskFiscalCodes('cf=RSSMRA80A01H501Uabc')).toBe('cf=RSS************Uabc')
  expect(maskFiscalCodes('xRSSMRA80A01H501U')).toBe('xRSS************U')
  expect(maskFiscalCodes('_RSSMRA80A01H501U_')).toBe('_RSS************U_')
  expect(maskFiscalCodes('RSSMRA85T10A562SX')).toBe('RSS************SX')
  expect(maskFiscalCodes('XRSSMRA85T10A562S')).toBe('XRSS************S')
  expect(maskFiscalCodes('42RSSMRA80A01H501U42')).toBe('42RSS************U42')
  // Two in a row, and a wrong check character glued to text (a typo is still someone's code).
  expect(maskFiscalCodes('RSSMRA80A01H501UVRDGPP80A01H501U')).toBe('RSS************UVRD************U')
  expect(maskFiscalCodes('idRSSMRA85T10A56NSx')).toBe('idRSS************Sx')
})

it('masks omocodia in every digit position, glued too when its check character holds', () => {
  // RSSMRA80A01H501U with all seven digits replaced, and its check character recomputed.
  expect(maskFiscalCodes('RSSMRAULALMHRLMD')).toBe('RSS************D')
  expect(maskFiscalCodes('cf=RSSMRAULALMHRLMDabc')).toBe('cf=RSS************Dabc')
  expect(maskFiscalCodes('/citizens/RSSMRAULALMHRLMD_x')).toBe('/citizens/RSS************D_x')
  expect(maskFiscalCodes('rssmraulalmhrlmdx')).toBe('rss************dx')
})

it('leaves other text alone: long words, codes of other shapes, the 11-digit codes of organisations', () => {
  const words = [
    'IUV 01234567890123456 and id comune-demo',
    'P.IVA 00000000001',
    'ABCDEFGHIJKLMNOP',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    'precipitevolissimevolmente',
    'internationalization and counterrevolutionaries',
    'CONSTITUTIONALISTS',
    'notificationdelivery.succeededRetentionSeconds',
    'SNODO_ADDRESS_FORBIDDEN',
    'urn:snodo:problem:request_header_too_large',
    // The shape with letters in every digit position, glued, and a wrong check character.
    'xRSSMRAULALMHRLMA',
    'RSSMRAULALMHRLMAx',
  ]
  for (const text of words) expect(maskFiscalCodes(text)).toBe(text)
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

it('masks fiscal codes in errors (message, stack, own fields, cause) and in child-logger bindings', () => {
  const lines: string[] = []
  const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) })
  const logger = createLogger('info', sink)
  const upstream = Object.assign(new Error('IO says RSSMRA85T10A562S is not a user'), { detail: { citizen: 'VRDGPP80A01H501U' } })
  const wrapped = new Error('delivery for\nVRDGPP80A01H501U failed', { cause: upstream })
  logger.error({ err: wrapped, requestId: 'r-1' }, 'unhandled error')
  logger.error(upstream)
  logger
    .child({ citizen: 'RSSMRA85T10A562S', tenant: 'comune-a' })
    .child({ path: '/citizens/VRDGPP80A01H501U' })
    .warn({ nested: { error: upstream } }, 'bound')

  const output = lines.join('')
  expect(output).not.toMatch(/RSSMRA85T10A562S|VRDGPP80A01H501U/i)
  const [first, second, third] = lines.map((line) => JSON.parse(line))
  expect(first).toMatchObject({
    msg: 'unhandled error',
    requestId: 'r-1',
    // pino's error serializer folds the cause into message and stack.
    err: { type: 'Error', message: 'delivery for\nVRD************U failed: IO says RSS************S is not a user' },
  })
  expect(first.err.stack).toMatch(/^Error: delivery for\nVRD\*{12}U failed\n\s+at [\s\S]*\ncaused by: Error: IO says RSS\*{12}S is not a user\n\s+at /)
  expect(second).toMatchObject({
    msg: 'IO says RSS************S is not a user',
    err: { message: 'IO says RSS************S is not a user', detail: { citizen: 'VRD************U' } },
  })
  expect(third).toMatchObject({ citizen: 'RSS************S', tenant: 'comune-a', path: '/citizens/VRD************U', msg: 'bound' })
})

it('masks a JSON line as the values it encodes would be masked, after escapes too, and keeps it valid JSON', () => {
  const values = {
    quoted: '"RSSMRA85T10A562S"',
    tab: 'a\tRSSMRA85T10A562S',
    newline: 'a\nRSSMRA85T10A562S\nb',
    control: '\u0001RSSMRA85T10A562S',
    accent: 'èRSSMRA85T10A562S',
    glued: 'xRSSMRA85T10A562S',
  }
  const masked = JSON.parse(maskLogLine(JSON.stringify(values)))
  expect(masked).toEqual(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, maskFiscalCodes(v)])))
  expect(masked.glued).toBe('xRSS************S')
  expect(masked.control).toBe('\u0001RSS************S')
})

it('a JSON line is masked as the value it encodes, whatever escapes surround or split a code', () => {
  const piece = fc.constantFrom(
    'RSSMRA80A01H501U',
    'RSSMRAULALMHRLMD',
    'RSSMRA',
    '80A01H501U',
    'x',
    '_',
    '1',
    '"',
    '\\',
    '\n',
    '\u0001',
    'è',
    '\ud800',
    '\udabc',
    'dabc',
    'u00e8',
    ' ',
  )
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
      const value = pieces.join('')
      const line = JSON.stringify({ value })
      expect(JSON.parse(maskLogLine(line)).value).toBe(maskFiscalCodes(value))
    }),
    { numRuns: 2000 },
  )
})
