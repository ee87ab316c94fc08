// From a practice to a vendor's arguments and XML, and from a vendor's answers back to Snodo's
// ProtocolRegistration. The profile says what goes where; this file only walks its trees.
import { createHash } from 'node:crypto'
import type { PracticeDocument, PracticeToRegister, ProtocolRegistration } from './port.ts'
import type { RegistrationTemplate, Tree } from './profile.ts'
import { evaluate, present, render, type Scope, TemplateError } from './template.ts'
import { buildXml } from './xml.ts'
import type { z } from 'zod'

export type DocumentView = { name: string; contentType: string; sha256: string; size: number; base64: string; content: Buffer }
export type PracticeView = Omit<PracticeToRegister, 'main' | 'attachments'> & {
  main: DocumentView
  attachments: DocumentView[]
  /** The segnatura's flow: E (in entrata) or U (in uscita). */
  flusso: 'E' | 'U'
  /** Set only in the matching direction, so a `$if` can pick the sender and the recipient. */
  incoming?: true
  outgoing?: true
}

/** The practice as templates see it: each document also as base64 and size, the direction as flags. */
export function practiceView(practice: PracticeToRegister): PracticeView {
  const outgoing = practice.direction === 'outgoing'
  return {
    ...practice,
    main: documentView(practice.main),
    attachments: practice.attachments.map(documentView),
    flusso: outgoing ? 'U' : 'E',
    ...(outgoing ? { outgoing: true as const } : { incoming: true as const }),
  }
}

function documentView(doc: PracticeDocument): DocumentView {
  return { name: doc.name, contentType: doc.contentType, sha256: doc.sha256.toLowerCase(), size: doc.content.length, base64: doc.content.toString('base64'), content: doc.content }
}

/** The documents whose content does not match their sha256: nothing is sent for such a practice. */
export function corruptDocuments(practice: PracticeToRegister): string[] {
  return [practice.main, ...practice.attachments]
    .filter((d) => createHash('sha256').update(d.content).digest('hex') !== d.sha256.toLowerCase())
    .map((d) => d.name)
}

/**
 * A tree with its templates rendered. Leaves whose single `{{ }}` has no value disappear, and so do
 * objects whose `$if` has none; `{ $forEach, $each }` repeats `$each` with `item` and `index` bound.
 * Buffers become base64 (xs:base64Binary).
 */
export function renderTree(tree: Tree, scope: Scope): unknown {
  if (typeof tree === 'string') {
    const value = render(tree, scope)
    if (Buffer.isBuffer(value)) return value.toString('base64')
    return value === null || value === undefined ? undefined : value
  }
  if (tree === null || typeof tree !== 'object') return tree ?? undefined
  if (Array.isArray(tree)) return tree.map((t) => renderTree(t, scope)).filter((v) => v !== undefined)
  if (typeof tree.$if === 'string' && !present(evaluate(tree.$if, scope))) return undefined
  if (typeof tree.$forEach === 'string') {
    const each = tree.$each
    if (each === undefined) throw new TemplateError('$forEach needs $each: what to repeat')
    const items = evaluate(tree.$forEach, scope)
    const rendered = (Array.isArray(items) ? items : present(items) ? [items] : [])
      .map((item, index) => renderTree(each, { ...scope, item, index }))
      .filter((v) => v !== undefined)
    return rendered.length > 0 ? rendered : undefined
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(tree)) {
    if (key === '$if') continue
    const rendered = renderTree(value, scope)
    if (rendered !== undefined) out[key] = rendered
  }
  return out
}

/** An XML document of the profile, built from the practice and earlier answers. */
export function renderXml(doc: { root: string; body: Tree }, scope: Scope): string {
  return buildXml(doc.root, renderTree(doc.body, scope) ?? {})
}

/** Named values read from an answer; expressions are evaluated against the answer itself. */
export function readOutputs(outputs: Record<string, string>, answer: unknown): Record<string, unknown> {
  const root = (answer && typeof answer === 'object' ? answer : { value: answer }) as Scope
  return Object.fromEntries(Object.entries(outputs).map(([name, expr]) => [name, evaluate(expr, root)]))
}

export class AnswerUnusable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AnswerUnusable'
  }
}

/** The registration an answer gives, or AnswerUnusable when its number, year or date is not usable. */
export function registrationOf(template: z.infer<typeof RegistrationTemplate>, scope: Scope): ProtocolRegistration {
  const text = (t: string | undefined) => {
    if (t === undefined) return undefined
    const value = render(t, scope)
    return present(value) && typeof value !== 'object' ? String(value).trim() : undefined
  }
  const number = text(template.number)
  // PORTALS.md §6: "Pratica protocollata senza numero di protocollo"; DOCAREA longs default to 0.
  if (!number || /^0+$/.test(number)) throw new AnswerUnusable('the answer carries no protocol number')
  const yearText = text(template.year)
  const year = yearText && /^\d{4}$/.test(yearText) ? Number(yearText) : Number.NaN
  if (!(year >= 1900 && year <= 2999)) throw new AnswerUnusable(`the answer carries no usable protocol year (${yearText ?? 'none'})`)
  const date = normaliseDate(text(template.date))
  if (!date) throw new AnswerUnusable(`the answer carries no usable protocol date (${text(template.date) ?? 'none'})`)
  const optional = { registry: text(template.registry), aoo: text(template.aoo), segnatura: text(template.segnatura), documentId: text(template.documentId) }
  return { number, year, date, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) }
}

const romeDateTime = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })

/** ISO dates and datetimes (an instant with a zone becomes Italian local time), dd/mm/yyyy[ hh:mm[:ss]] and yyyymmdd → YYYY-MM-DD[THH:mm[:ss]]. */
export function normaliseDate(value: string | undefined): string | undefined {
  if (!value) return undefined
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(value)
  if (zoned) {
    const at = new Date(value)
    if (Number.isNaN(at.getTime())) return undefined
    const local = romeDateTime.format(at).replace(' ', 'T')
    return zoned[1] === undefined ? local.slice(0, 16) : local
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/.exec(value)
  const italian = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(value)
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value)
  const parts = iso
    ? { y: iso[1], m: iso[2], d: iso[3], h: iso[4], min: iso[5], s: iso[6] }
    : italian
      ? { y: italian[3], m: italian[2], d: italian[1], h: italian[4], min: italian[5], s: italian[6] }
      : compact
        ? { y: compact[1], m: compact[2], d: compact[3] }
        : undefined
  if (!parts) return undefined
  const pad = (v: string | undefined) => (v ?? '').padStart(2, '0')
  const day = `${parts.y}-${pad(parts.m)}-${pad(parts.d)}`
  const check = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== day) return undefined
  return parts.h === undefined ? day : `${day}T${pad(parts.h)}:${parts.min}${parts.s === undefined ? '' : `:${parts.s}`}`
}
