// JSON logs with fiscal codes masked wherever they appear (design §4, personal data).
import pino, { type Logger } from 'pino'

const fiscalCode = /\b([A-Z]{6})[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}([A-Z])\b/gi

export function maskFiscalCodes(text: string): string {
  return text.replace(fiscalCode, (_, head: string, tail: string) => `${head.slice(0, 3)}${"*".repeat(12)}${tail}`)
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      hooks: {
        // Masks every string argument, not only known fields: a fiscal code can hide in a path or a message.
        logMethod(args, method) {
          method.apply(this, args.map(maskDeep) as Parameters<typeof method>)
        },
      },
    },
    destination,
  )
}

function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskFiscalCodes(value)
  if (Array.isArray(value)) return value.map(maskDeep)
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]))
  }
  return value
}
