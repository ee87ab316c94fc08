// `since` / `until` in ops queries: an ISO 8601 instant, or a duration back from now (90s, 15m, 2h, 7d).
import { z } from 'zod'

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export function parseInstant(value: string, now: Date): Date | undefined {
  const duration = /^(\d{1,6})([smhd])$/.exec(value)
  if (duration) return new Date(now.getTime() - Number(duration[1]) * (units[duration[2] as string] as number))
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined
  const at = new Date(value)
  return Number.isNaN(at.getTime()) ? undefined : at
}

/** A query or body field holding an instant; parsed against the clock at validation time. */
export const Instant = z
  .string()
  .max(40)
  .refine((v) => parseInstant(v, new Date()) !== undefined, 'an ISO 8601 instant or a duration like 90s, 15m, 2h, 7d')

export const Limit = z.coerce.number().int().min(1).max(500).default(100)
