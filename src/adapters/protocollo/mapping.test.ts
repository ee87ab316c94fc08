import { describe, expect, it } from 'vitest'
import { corruptDocuments } from '../soap-profile/documents.ts'
import { AnswerUnusable, renderTree, renderXml } from '../soap-profile/render.ts'
import { parseXml } from '../soap-profile/xml.ts'
import { normaliseDate, registrationOf } from './mapping.ts'
import { aPractice } from './port.suite.ts'

describe('rendering argument trees', () => {
  const scope = {
    practice: { subject: 'S', email: undefined, files: [{ name: 'a.pdf' }, { name: 'b & c.pdf' }] },
    params: { classifica: '' },
    blob: Buffer.from('xyz'),
  }

  it('drops absent leaves and objects whose $if has no value, repeats $each for $forEach', () => {
    const tree = {
      Oggetto: '{{practice.subject}}',
      Email: '{{practice.email}}',
      Classifica: { $if: 'params.classifica', Codice: '{{params.classifica}}' },
      Allegati: { Documento: { $forEach: 'practice.files', $each: { $: { nome: '{{item.name}}', n: '{{index}}' } } } },
      Nessuno: { $forEach: 'practice.none', $each: 'x' },
      File: '{{blob}}',
    }
    expect(renderTree(tree, scope)).toEqual({
      Oggetto: 'S',
      Allegati: { Documento: [{ $: { nome: 'a.pdf', n: 0 } }, { $: { nome: 'b & c.pdf', n: 1 } }] },
      File: 'eHl6',
    })
  })

  it('builds XML that escapes text and attributes once, and reads back to the same text', () => {
    const xml = renderXml(
      { root: 'Segnatura', body: { Oggetto: '{{practice.subject}}', Documento: { $: { nome: '{{n}}' } } } },
      { practice: { subject: 'a <b> & "c"' }, n: 'x"&<y' },
    )
    expect(xml).toContain('<Oggetto>a &lt;b&gt; &amp; "c"</Oggetto>')
    expect(xml).toContain('nome="x&quot;&amp;&lt;y"')
    expect(parseXml(xml)).toEqual({ Segnatura: { Oggetto: 'a <b> & "c"', Documento: { $: { nome: 'x"&<y' } } } })
  })
})

describe('reading a registration', () => {
  const template = { number: '{{n}}', year: '{{y}}', date: '{{d}}', registry: '{{r}}' }

  it('keeps what the vendor said, normalised', () => {
    expect(registrationOf(template, { n: 42, y: 2026, d: '02/03/2026', r: 'PG' })).toEqual({ number: '42', year: 2026, date: '2026-03-02', registry: 'PG' })
  })

  it('refuses a success without a number (or with DOCAREA’s default 0), year or date', () => {
    expect(() => registrationOf(template, { n: 0, y: 2026, d: '02/03/2026' })).toThrow(AnswerUnusable)
    expect(() => registrationOf(template, { y: 2026, d: '02/03/2026' })).toThrow(/no protocol number/)
    expect(() => registrationOf(template, { n: 1, y: 0, d: '02/03/2026' })).toThrow(/year/)
    expect(() => registrationOf(template, { n: 1, y: 2026, d: '31/02/2026' })).toThrow(/date/)
  })

  it('normalises the date formats vendors use', () => {
    expect(normaliseDate('2026-03-02')).toBe('2026-03-02')
    expect(normaliseDate('2026-03-02T11:36:00')).toBe('2026-03-02T11:36:00')
    expect(normaliseDate('2/3/2026 9:05')).toBe('2026-03-02T09:05')
    expect(normaliseDate('20260302')).toBe('2026-03-02')
    expect(normaliseDate('2026-03-01T23:30:00Z')).toBe('2026-03-02T00:30:00')
    expect(normaliseDate('yesterday')).toBeUndefined()
  })
})

describe('document integrity', () => {
  it('names the documents whose content does not match their sha256', () => {
    const practice = aPractice()
    expect(corruptDocuments([practice.main, ...practice.attachments])).toEqual([])
    expect(corruptDocuments([{ ...practice.main, content: Buffer.from('other') }, ...practice.attachments])).toEqual([practice.main.name])
  })
})
