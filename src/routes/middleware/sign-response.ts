// Every /v1 answer carries Snodo's Digest + Agid-JWT-Signature, so a portal can prove what Snodo said.
import type { MiddlewareHandler } from 'hono'
import type { KeyRing } from '../../trust/key-ring.ts'
import { digestOf, signIntegrity } from '../../trust/modi.ts'
import type { AppContext, AppEnv } from '../app-env.ts'
import { addAnswerHeaders, bufferAnswer } from './buffered-answer.ts'

/**
 * For a route that streams its answer (a stored document) and knows its Digest beforehand: the answer
 * is signed without being read. Only while that body is still the answer's (an error answer in its
 * place is read and signed as usual).
 */
export function signedWithDigest(c: AppContext, body: ReadableStream<Uint8Array>, digest: string): void {
  c.set('streamedAnswer', { body, digest })
}

export function signResponse(deps: { keys: KeyRing; issuer: string }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    const streamed = c.get('streamedAnswer')
    const { digest, contentType } =
      streamed && c.res.body === streamed.body ? { digest: streamed.digest, contentType: c.res.headers.get('content-type') ?? '' } : await digestOfAnswer(c)
    const signature = await signIntegrity(deps.keys.current(), {
      issuer: deps.issuer,
      audience: c.get('caller')?.clientId ?? 'anonymous',
      headers: { digest, 'content-type': contentType },
    })
    // Not c.header(): on a finalised answer it rebuilds the answer around a body stream.
    addAnswerHeaders(c, { digest, 'agid-jwt-signature': signature })
  }
}

async function digestOfAnswer(c: AppContext) {
  const { body, headers } = await bufferAnswer(c)
  return { digest: digestOf(body), contentType: headers['content-type'] ?? '' }
}
