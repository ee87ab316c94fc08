import { describe, expect, it } from 'vitest'
import { evaluate, pathsIn, render } from './template.ts'

const scope = {
  practice: { subject: 'Bonus <2026> & co', applicant: { email: 'a@b.it' }, submittedAt: '2026-03-01T23:30:00Z', main: { content: Buffer.from('hi') } },
  params: { aoo: 'AOO1', empty: '' },
  // DocER answers: one SearchItem is an object, several are a list (that is how SOAP decoders see it).
  one: {
    metadata: [
      { key: 'DOCNUM', value: '7' },
      { key: 'NUM_PG', value: '42' },
    ],
  },
  many: [
    { metadata: { key: 'DOCNUM', value: '6' } },
    {
      metadata: [
        { key: 'DOCNUM', value: '7' },
        { key: 'NUM_PG', value: '42' },
      ],
    },
  ],
}

describe('templates', () => {
  it('gives the value itself for a lone {{ }}, text for a mixed one, and nothing for what is absent', () => {
    expect(render('{{practice.main.content}}', scope)).toBeInstanceOf(Buffer)
    expect(render('AOO {{params.aoo}} / {{practice.nope}}', scope)).toBe('AOO AOO1 / ')
    expect(render('{{practice.nope}}', scope)).toBeUndefined()
    expect(render('plain', scope)).toBe('plain')
  })

  it('takes the first alternative with a value; quoted literals are values', () => {
    expect(evaluate("practice.applicant.pec || practice.applicant.email || 'none'", scope)).toBe('a@b.it')
    expect(evaluate("params.empty || 'none'", scope)).toBe('none')
  })

  it('reads DocER key/value lists whether one item or many came back', () => {
    expect(evaluate('one | kvs | where:NUM_PG | first', scope)).toEqual({ DOCNUM: '7', NUM_PG: '42' })
    expect(evaluate('many | kvs | where:NUM_PG | first | at:DOCNUM', scope)).toBe('7')
    expect(evaluate('many | kvs | pluck:DOCNUM', scope)).toEqual(['6', '7'])
    expect(evaluate('nothing | kvs | where:NUM_PG | first', scope)).toBeUndefined()
  })

  it('encodes base64 and gives the Italian calendar date of an instant', () => {
    expect(evaluate('practice.main.content | base64', scope)).toBe('aGk=')
    expect(evaluate('practice.submittedAt | date', scope)).toBe('2026-03-02')
    // The SUAP standard file names: CF-GGMMAAAA-HHMM, in Italian time (winter: UTC+1, summer: UTC+2).
    expect(evaluate('practice.submittedAt | date:DDMMYYYY-HHmm', scope)).toBe('02032026-0030')
    expect(evaluate('t | date:DD/MM/YYYY HH:mm:ss', { t: '2026-07-10T08:05:09Z' })).toBe('10/07/2026 10:05:09')
  })

  it('writes a value as JSON text', () => {
    expect(evaluate('v | json', { v: { a: [1, 'è'], b: null } })).toBe('{"a":[1,"è"],"b":null}')
    expect(evaluate('nothing | json', {})).toBeUndefined()
  })

  it('parses XML carried in a string, and refuses one with a DTD', () => {
    expect(evaluate('x | xml | at:esito.codice', { x: '<esito><codice>0</codice></esito>' })).toBe('0')
    expect(() => evaluate('x | xml', { x: '<!DOCTYPE e [<!ENTITY a SYSTEM "file:///etc/passwd">]><e>&a;</e>' })).toThrow(/DTD/)
    expect(() => evaluate('x | xml', { x: 'Fatal error' })).toThrow(/not XML/)
  })

  it('refuses an unknown filter and an object inside text', () => {
    expect(() => evaluate('params.aoo | shout', scope)).toThrow(/unknown filter/)
    expect(() => render('x {{params}}', scope)).toThrow(/not text/)
  })

  it('lists the paths a template reads', () => {
    expect(pathsIn("{{a.b || c.d | first}} and {{'lit' || e}}")).toEqual(['a.b', 'c.d', 'e'])
  })
})
