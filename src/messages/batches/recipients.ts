// A batch's recipients, as CSV (a header row, `fiscalCode` plus template variables) or JSON lines
// ({"fiscalCode": …, other fields are variables}). Each broken line is reported with its number;
// the good lines still go.
import { parse as parseCsv } from 'csv-parse/sync'
import { IoFiscalCode } from '../../citizens/fiscal-code.ts'

export type Recipient = { line: number; fiscalCode: string; vars: Record<string, string> }
export type LineError = { line: number; message: string }

export const maxRecipients = 100_000

export function parseRecipients(format: 'csv' | 'jsonl', text: string): { recipients: Recipient[]; errors: LineError[] } {
  const rows = format === 'csv' ? csvRows(text) : jsonRows(text)
  const recipients: Recipient[] = []
  const errors: LineError[] = []
  for (const row of rows) {
    if ('error' in row) {
      errors.push({ line: row.line, message: row.error })
      continue
    }
    const { fiscalCode, ...rest } = row.fields
    const valid = IoFiscalCode.safeParse(typeof fiscalCode === 'string' ? fiscalCode.trim().toUpperCase() : fiscalCode)
    if (!valid.success) errors.push({ line: row.line, message: fiscalCode === undefined ? 'no fiscalCode' : 'fiscalCode is not a valid fiscal code' })
    else if (recipients.length >= maxRecipients) errors.push({ line: row.line, message: `more than ${maxRecipients} recipients in one batch` })
    else recipients.push({ line: row.line, fiscalCode: valid.data, vars: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v ?? '')])) })
  }
  return { recipients, errors }
}

type Row = { line: number; fields: Record<string, unknown> } | { line: number; error: string }

function jsonRows(text: string): Row[] {
  return text.split('\n').flatMap((raw, i): Row[] => {
    if (raw.trim() === '') return []
    try {
      const value: unknown = JSON.parse(raw)
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [{ line: i + 1, error: 'not a JSON object' }]
      return [{ line: i + 1, fields: value as Record<string, unknown> }]
    } catch {
      return [{ line: i + 1, error: 'not valid JSON' }]
    }
  })
}

function csvRows(text: string): Row[] {
  const skipped: Row[] = []
  let records: { record: Record<string, string>; info: { lines: number } }[]
  try {
    // A malformed record is skipped and reported with its line; the parser goes on with the next.
    records = parseCsv(text, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (err) => void skipped.push({ line: Number(err?.lines ?? 0), error: err?.message ?? 'malformed CSV record' }),
    })
  } catch (error) {
    // Only the header itself can stop the parser (e.g. duplicate column names).
    return [{ line: 1, error: error instanceof Error ? error.message : String(error) }]
  }
  return [...records.map(({ record, info }): Row => ({ line: info.lines, fields: record })), ...skipped].sort((a, b) => a.line - b.line)
}
