// Turns every failure into one problem+json body; nothing else ever leaves a failing route.
import type { ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Logger } from 'pino'
import { type ProblemCode, SnodoError, toProblem } from '../../errors.ts'
import type { AppContext, AppEnv } from '../app-env.ts'

export function problemResponse(c: AppContext, error: SnodoError): Response {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json', ...error.headers }
  return c.body(JSON.stringify(toProblem(error, c.get('requestId') ?? 'unknown')), error.status as 400, headers)
}

const httpStatusCodes: Record<number, ProblemCode> = {
  400: 'malformed_request',
  401: 'token_missing',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
}

export function createErrorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (error, c) => {
    if (error instanceof SnodoError) return problemResponse(c, error)
    if (error instanceof HTTPException && httpStatusCodes[error.status]) {
      return problemResponse(c, new SnodoError(httpStatusCodes[error.status] as ProblemCode, error.message))
    }
    logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error')
    return problemResponse(c, new SnodoError('internal_error', 'Something went wrong on our side; quote the requestId when you report it'))
  }
}

export const notFound: NotFoundHandler<AppEnv> = (c) => problemResponse(c, new SnodoError('not_found', `No resource at ${c.req.method} ${c.req.path}`))
