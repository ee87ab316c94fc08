// JSON body validation: 415 for another media type, 400 malformed_request for broken JSON (thrown by
// Hono's validator), 400 validation_failed with one entry per field for a schema mismatch.
import { validator } from 'hono/validator'
import type { z } from 'zod'
import { SnodoError } from '../errors.ts'

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i

export const validateJson = <T extends z.ZodType>(schema: T) =>
  validator('json', (value, c): z.infer<T> => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? ''
    if (!jsonMediaType.test(mediaType)) throw new SnodoError('unsupported_media_type', 'Send the body as application/json')
    const result = schema.safeParse(value)
    if (!result.success) {
      const errors = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }))
      throw new SnodoError('validation_failed', `${errors.length} field(s) failed validation`, { errors })
    }
    return result.data
  })

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
