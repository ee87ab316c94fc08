// JSON logs with fiscal codes masked wherever they appear (design §4, personal data).
import pino, { type Logger } from 'pino'

const fiscalCodeBody = '([A-Z]{6})[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}([A-Z])\\b'
const fiscalCode = new RegExp(`\\b${fiscalCodeBody}`, 'gi')
// In a JSON line a code may follow an escape (`\n`, `\t`, `\u00e8`…): the escape's letter is not a word boundary there.
const fiscalCodeInJson = new RegExp(`(?:(?<![A-Za-z0-9_])|(?<=\\\\[bfnrt])|(?<=\\\\u[0-9a-fA-F]{4}))${fiscalCodeBody}`, 'gi')

const mask = (_: string, head: string, tail: string) => `${head.slice(0, 3)}${'*'.repeat(12)}${tail}`

export function maskFiscalCodes(text: string): string {
  return text.replace(fiscalCode, mask)
}

/** Masks a serialized JSON log line; masking swaps letters and digits for `*`, so the JSON stays valid. */
export function maskLogLine(line: string): string {
  return line.replace(fiscalCodeInJson, mask)
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      hooks: {
        // The whole line, as written: messages, values, keys, serialized errors (message, stack, fields,
        // causes) and child-logger bindings alike, since a fiscal code can hide in any of them.
        streamWrite: maskLogLine,
      },
    },
    destination,
  )
}
