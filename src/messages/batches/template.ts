// A batch's subject and markdown with {{variable}} placeholders, filled per recipient; the result
// must still meet IO's limits (appio/FACTS.md §3: subject 10..120, markdown 80..10000).
const placeholder = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g

export type Template = { subject: string; markdown: string }

export function render(template: Template, vars: Record<string, string>): { subject: string; markdown: string } | { error: string } {
  const missing = new Set<string>()
  const fill = (text: string) => text.replace(placeholder, (_, name: string) => vars[name] ?? (missing.add(name), ''))
  const subject = fill(template.subject)
  const markdown = fill(template.markdown)
  if (missing.size > 0) return { error: `no value for ${[...missing].join(', ')}` }
  if (subject.length < 10 || subject.length > 120) return { error: `the subject would be ${subject.length} characters; IO takes 10 to 120` }
  if (markdown.length < 80 || markdown.length > 10_000) return { error: `the markdown would be ${markdown.length} characters; IO takes 80 to 10000` }
  return { subject, markdown }
}
