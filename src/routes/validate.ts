// JSON body validation: 415 for another media type, 400 validation_failed for a body nested too deep
// (before it is parsed), 400 malformed_request for broken JSON (thrown by Hono's validator), 400
// validation_failed with one entry per field for a schema mismatch.
import { validator } from 'hono/validator'
import type { z } from 'zod'
import { SnodoError } from '../errors.ts'

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i

/**
 * How deep a JSON body may nest. JSON.parse takes any depth, but what handles the value after it
 * recurses (JSON.stringify overflows its stack at a few thousand levels, inside a half-done write):
 * refused before parsing. No Snodo body needs more than a handful; a form's `data` gets ample room.
 */
export const maxJsonDepth = 64

export const validateJson = <T extends z.ZodType>(schema: T) => {
  const validate = validator('json', (value, c): z.infer<T> => {
    const result = schema.safeParse(value)
    if (!result.success) {
      const errors = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }))
      throw new SnodoError('validation_failed', `${errors.length} field(s) failed validation`, { errors })
    }
    return result.data
  })
  return (async (c, next) => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? ''
    if (!jsonMediaType.test(mediaType)) throw new SnodoError('unsupported_media_type', 'Send the body as application/json')
    // The text is read once (the integrity check cached it); Hono's c.req.json() parses the same text.
    const depth = depthBeyond(await c.req.text(), maxJsonDepth)
    if (depth !== undefined) {
      throw new SnodoError('validation_failed', `The body nests deeper than ${maxJsonDepth} levels`, {
        errors: [{ path: '(body)', message: `nested more than ${maxJsonDepth} levels deep (at character ${depth})` }],
      })
    }
    return validate(c, next)
  }) as typeof validate
}

/**
 * Where the text first opens a bracket past `max` levels, undefined if it never does. Brackets inside
 * strings do not count (escapes skipped); the text need not be valid JSON: JSON.parse judges that after.
 */
export function depthBeyond(text: string, max: number): number | undefined {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c)
        i++ // backslash: the next character is escaped
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return i
    } else if (ch === 0x5d || ch === 0x7d) depth--
  }
  return undefined
}

/** Query parameters: 400 validation_failed with one entry per parameter. */
export const validateQuery = <T extends z.ZodType>(schema: T) =>
  validator('query', (value): z.infer<T> => {
    const result = schema.safeParse(value)
    if (!result.success) {
      const errors = result.error.issues.map((i) => ({ path: `query.${i.path.join('.')}`, message: i.message }))
      throw new SnodoError('validation_failed', `${errors.length} query parameter(s) failed validation`, { errors })
    }
    return result.data
  })
