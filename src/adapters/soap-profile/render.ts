// From the practice to a vendor's arguments and XML documents, and from a vendor's answers to named
// values. The profile says what goes where; this file only walks its trees.
import type { Tree, XmlDocument } from './profile.ts'
import { evaluate, present, render, type Scope, TemplateError } from './template.ts'
import { buildXml } from './xml.ts'

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

/**
 * What the practice lacks for a document (its `requires`), each with the path in the practice it reads.
 * An absent value is a problem unless the pattern matches the empty text (an optional value); a list
 * must have every element match, and may be empty.
 */
export function unmetRequirements(doc: Pick<XmlDocument, 'requires'>, scope: Scope): { path: string; message: string }[] {
  return Object.entries(doc.requires).flatMap(([expression, pattern]) => {
    const value = evaluate(expression, scope)
    const values = Array.isArray(value) ? value : [value]
    const path =
      expression
        .split('|')[0]
        ?.trim()
        .replace(/^practice\./, '') ?? expression
    const re = new RegExp(pattern)
    // A list (each attachment's…) may be empty; a single value may be absent only where the pattern allows ''.
    if (!Array.isArray(value) && !present(value)) return re.test('') ? [] : [{ path, message: `required (${expression})` }]
    const bad = values.find((v) => !present(v) || typeof v === 'object' || !re.test(String(v)))
    return bad === undefined ? [] : [{ path, message: `${JSON.stringify(bad)} does not match ${pattern} (${expression})` }]
  })
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
