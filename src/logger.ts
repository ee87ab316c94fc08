// JSON logs with fiscal codes masked wherever they appear (design §4, personal data).
import pino, { type Logger } from 'pino'

// A code glued to other text (`/citizens/RSSMRA80A01H501U_x`, `cf=RSSMRA80A01H501Uabc`) is masked too:
// any 16 characters of the shape, wherever they are, when they hold a digit or a valid check
// character, or stand alone. A word of letters alone has neither, so ordinary text stays.
const shape = /(?=([A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]))/gi
const digitPositions = [6, 7, 9, 10, 12, 13, 14]
const alphanumeric = /[A-Za-z0-9]/
// The check character (DM 23/12/1976): odd positions through this table, even ones by their value.
const oddValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]

function hasValidCheck(code: string): boolean {
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const c = code.charCodeAt(i)
    const value = c <= 57 ? c - 48 : c - 65 // '0'-'9' and 'A'-'Z' (upper-cased by the caller)
    sum += i % 2 === 0 ? (oddValues[value] as number) : value
  }
  return code.charCodeAt(15) - 65 === sum % 26
}

const mask = (code: string) => `${code.slice(0, 3)}${'*'.repeat(12)}${code.slice(15)}`

/** What a JSON escape stands for, '' when it is not one (the line is then not JSON: nothing breaks). */
function decodeEscape(sequence: string): string {
  try {
    return JSON.parse(`"${sequence}"`) as string
  } catch {
    return ''
  }
}

/**
 * Where the JSON escapes of a line lie, and the character each stands for, by its first and its last
 * index: in a JSON line a code is masked as in the value it encodes, and an escape is never cut.
 */
function jsonEscapes(line: string) {
  const inside = new Uint8Array(line.length)
  const byStart = new Map<number, string>()
  const byEnd = new Map<number, string>()
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== '\\') continue
    const length = line[i + 1] === 'u' ? 6 : 2
    const char = decodeEscape(line.slice(i, i + length))
    inside.fill(1, i, i + length)
    byStart.set(i, char)
    byEnd.set(i + length - 1, char)
    i += length - 1
  }
  return { inside, byStart, byEnd }
}

function maskIn(text: string, json: boolean): string {
  const escapes = json && text.includes('\\') ? jsonEscapes(text) : undefined
  const charBefore = (i: number) => (escapes?.inside[i - 1] ? escapes.byEnd.get(i - 1) : text[i - 1]) ?? ''
  const charAfter = (i: number) => (escapes?.inside[i] ? escapes.byStart.get(i) : text[i]) ?? ''
  let out = ''
  let copied = 0
  for (const match of text.matchAll(shape)) {
    const start = match.index
    const original = match[1] as string
    if (start < copied || escapes?.inside.subarray(start, start + 16).includes(1)) continue
    const code = original.toUpperCase()
    const alone = !alphanumeric.test(charBefore(start)) && !alphanumeric.test(charAfter(start + 16))
    if (!alone && !digitPositions.some((p) => code.charCodeAt(p) <= 57) && !hasValidCheck(code)) continue
    out += text.slice(copied, start) + mask(original)
    copied = start + 16
  }
  return copied === 0 ? text : out + text.slice(copied)
}

export function maskFiscalCodes(text: string): string {
  return maskIn(text, false)
}

/** Masks a serialized JSON log line; masking swaps letters and digits for `*`, so the JSON stays valid. */
export function maskLogLine(line: string): string {
  return maskIn(line, true)
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
