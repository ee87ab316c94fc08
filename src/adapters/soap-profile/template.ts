// The small expression language of SOAP profiles. A template is a string; `{{ expr }}` inside it
// is replaced by the value of expr. A template that is exactly one `{{ expr }}` yields the value
// itself (a number, a list, an object); absent values make the surrounding element disappear.
//
//   expr    := choice ( '|' filter )*          e.g.  practice.applicant.pec || practice.applicant.email
//   choice  := operand ( '||' operand )*              steps.cerca.return | kvs | where:NUM_PG | first
//   operand := dotted.path | 'quoted literal'
//   filter  := name [ ':' argument ]

import { romeParts } from '../../rome-time.ts'
import { parseXml } from './xml.ts'

export type Scope = Record<string, unknown>

export class TemplateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateError'
  }
}

const whole = /^\{\{([^{}]+)\}\}$/
const embedded = /\{\{([^{}]+)\}\}/g

/** Whether a value counts as given: not undefined, null, '' nor an empty list. */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)
}

export function render(template: string, scope: Scope): unknown {
  const only = whole.exec(template)
  if (only) return evaluate(only[1] as string, scope)
  return template.replace(embedded, (_, expr: string) => {
    const value = evaluate(expr, scope)
    if (!present(value)) return ''
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
    throw new TemplateError(`{{${expr.trim()}}} is not text and cannot be part of "${template}"`)
  })
}

export function evaluate(expr: string, scope: Scope): unknown {
  const [head = '', ...filters] = expr.split(/(?<!\|)\|(?!\|)/).map((part) => part.trim())
  let value: unknown
  for (const operand of head.split('||').map((o) => o.trim())) {
    value = /^'.*'$|^".*"$/.test(operand) ? operand.slice(1, -1) : get(scope, operand)
    if (present(value)) break
  }
  for (const filter of filters) {
    const colon = filter.indexOf(':')
    const name = colon < 0 ? filter : filter.slice(0, colon)
    const argument = colon < 0 ? undefined : filter.slice(colon + 1).trim()
    const apply = filterFunctions[name]
    if (!apply) throw new TemplateError(`unknown filter "${name}" in {{${expr.trim()}}}`)
    value = apply(value, argument)
  }
  return value
}

/** The value at a dotted path; numeric segments index lists. Undefined when anything on the way is missing. */
export function get(from: unknown, path: string): unknown {
  let current = from
  for (const segment of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined
    current = Array.isArray(current) && /^\d+$/.test(segment) ? current[Number(segment)] : (current as Record<string, unknown>)[segment]
  }
  return current
}

/** The dotted paths a template reads (the first segment names the scope: practice, params, secrets…). */
export function pathsIn(template: string): string[] {
  return [...template.matchAll(embedded)].flatMap((m) =>
    ((m[1] as string).split(/(?<!\|)\|(?!\|)/)[0] ?? '')
      .split('||')
      .map((o) => o.trim())
      .filter((o) => o !== '' && !/^'.*'$|^".*"$/.test(o)),
  )
}

export const filterNames = ['at', 'list', 'pluck', 'kv', 'kvs', 'where', 'first', 'base64', 'date', 'xml', 'string', 'json'] as const

const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value])

const kv = (value: unknown): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const pair of list(value)) {
    const key = get(pair, 'key')
    if (typeof key === 'string' || typeof key === 'number') out[String(key)] = get(pair, 'value')
  }
  return out
}

/** An instant in Italian local time, written with the tokens YYYY MM DD HH mm ss. */
function romeFormat(at: Date, format: string): string {
  const part = romeParts(at)
  const tokens: Record<string, string | undefined> = { YYYY: part.year, MM: part.month, DD: part.day, HH: part.hour, mm: part.minute, ss: part.second }
  return format.replace(/YYYY|MM|DD|HH|mm|ss/g, (token) => tokens[token] ?? token)
}

const filterFunctions: Record<string, (value: unknown, argument?: string) => unknown> = {
  /** The value at a path of the value: `return | xml | at:esito.codice`. */
  at: (value, path = '') => get(value, path),
  /** Nothing → [], one → [one], a list stays a list (a SOAP answer with one element is not a list). */
  list,
  /** The value at a path of each element. */
  pluck: (value, path = '') =>
    list(value)
      .map((v) => get(v, path))
      .filter(present),
  /** [{key, value}…] → {key: value} (DocER's KeyValuePair lists). */
  kv,
  /** A list of elements each holding a KeyValuePair list (under `metadata`, or the element itself) → objects. */
  kvs: (value) => list(value).map((v) => kv(get(v, 'metadata') ?? v)),
  /** The elements whose field is given. */
  where: (value, field = '') => list(value).filter((v) => present(get(v, field))),
  first: (value) => list(value)[0],
  base64: (value) => (Buffer.isBuffer(value) ? value.toString('base64') : present(value) ? Buffer.from(String(value), 'utf8').toString('base64') : value),
  /** An ISO instant → the calendar date in Italy, YYYY-MM-DD, or as `date:DDMMYYYY-HHmm` says (tokens YYYY MM DD HH mm ss). */
  date: (value, format = 'YYYY-MM-DD') => {
    if (!present(value)) return value
    const at = new Date(String(value))
    if (Number.isNaN(at.getTime())) throw new TemplateError(`"${String(value)}" is not a date`)
    return romeFormat(at, format)
  },
  /** XML carried as text inside an answer, parsed without any DTD. */
  xml: (value) => (present(value) ? parseXml(String(value)) : value),
  string: (value) => (present(value) ? String(value) : value),
  /** A value as JSON text (a form's data carried in one string argument). */
  json: (value) => (value === undefined ? value : JSON.stringify(value)),
}
