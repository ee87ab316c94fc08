// Every /v1 answer carries Snodo's Digest + Agid-JWT-Signature, so a portal can prove what Snodo said.
import type { MiddlewareHandler } from 'hono'
import type { KeyRing } from '../../trust/key-ring.ts'
import { digestOf, signIntegrity } from '../../trust/modi.ts'
import type { AppEnv } from '../app-env.ts'
import { addAnswerHeaders, bufferAnswer } from './buffered-answer.ts'

export function signResponse(deps: { keys: KeyRing; issuer: string }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    const { body, headers } = await bufferAnswer(c)
    const digest = digestOf(body)
    const contentType = headers['content-type'] ?? ''
    const signature = await signIntegrity(deps.keys.current(), {
      issuer: deps.issuer,
      audience: c.get('caller')?.clientId ?? 'anonymous',
      headers: { digest, 'content-type': contentType },
    })
    // Not c.header(): on a finalised answer it rebuilds the answer around a body stream.
    addAnswerHeaders(c, { digest, 'agid-jwt-signature': signature })
  }
}
