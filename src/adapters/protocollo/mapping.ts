// From a practice to what protocol profiles read, and from a vendor's answers back to Snodo's
// ProtocolRegistration: a number, a 4-digit year and a readable date, or the answer is unusable.

import type { z } from 'zod'
import { romeLocal } from '../../rome-time.ts'
import { type DocumentView, documentViews } from '../soap-profile/documents.ts'
import { AnswerUnusable } from '../soap-profile/render.ts'
import { present, render, type Scope } from '../soap-profile/template.ts'
import type { PracticeToRegister, ProtocolRegistration } from './port.ts'
import type { RegistrationTemplate } from './profile.ts'

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
    ...documentViews(practice.main, practice.attachments),
    flusso: outgoing ? 'U' : 'E',
    ...(outgoing ? { outgoing: true as const } : { incoming: true as const }),
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

/** ISO dates and datetimes (an instant with a zone becomes Italian local time), dd/mm/yyyy[ hh:mm[:ss]] and yyyymmdd → YYYY-MM-DD[THH:mm[:ss]]. */
export function normaliseDate(value: string | undefined): string | undefined {
  if (!value) return undefined
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(value)
  if (zoned) {
    const at = new Date(value)
    if (Number.isNaN(at.getTime())) return undefined
    const local = romeLocal(at)
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
