// The TypeScript client for Snodo's v1 contract: signs every request (ID_AUTH_REST_02 bearer,
// INTEGRITY_REST_01 Digest + Agid-JWT-Signature) and verifies the signature on every answer.
import { readFileSync } from 'node:fs'
import { createRemoteJWKSet, importJWK, type JWK, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { algorithmOf, digestOf, type SigningKey, signBearerToken, signedHeadersMismatch, signIntegrity } from '../trust/modi.ts'

export type ClientIdentity = {
  baseUrl: string
  clientId: string
  /** Snodo's public URL, the `aud` of every token; defaults to baseUrl. */
  audience?: string
  privateJwk: JWK
}

export type Verification = { verified: true; kid: string } | { verified: false; reason: string }

export type SnodoResponse = {
  status: number
  headers: Headers
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown
  text: string
  verification: Verification
}

export type RequestOptions = { body?: unknown; idempotencyKey?: string; headers?: Record<string, string> }

export class ResponseNotVerifiedError extends Error {
  readonly response: SnodoResponse
  constructor(response: SnodoResponse & { verification: { verified: false; reason: string } }) {
    super(`Snodo's response signature did not verify: ${response.verification.reason}`)
    this.name = 'ResponseNotVerifiedError'
    this.response = response
  }
}

/** Reads a client file such as the sandbox's .snodo/sandbox/demo-client.json. */
export function readClientFile(path: string): ClientIdentity {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as ClientIdentity
  for (const field of ['baseUrl', 'clientId', 'privateJwk'] as const) {
    if (!parsed[field]) throw new Error(`${path} has no ${field}`)
  }
  return parsed
}

export async function importSigningKey(privateJwk: JWK): Promise<SigningKey> {
  const alg = algorithmOf(privateJwk)
  if (!privateJwk.kid) throw new Error('the private JWK needs a kid registered with Snodo')
  return { kid: privateJwk.kid, alg, key: (await importJWK(privateJwk, alg)) as SigningKey['key'] }
}

/**
 * The headers that authenticate one request and, when it has a body, bind that body. A body streamed
 * from elsewhere (a large document) is given as its Digest, `{ digest: 'SHA-256=<base64>' }`.
 */
export async function signRequest(
  key: SigningKey,
  identity: { clientId: string; audience: string },
  body?: string | Uint8Array | { digest: string },
  contentType = 'application/json',
) {
  const headers: Record<string, string> = { authorization: `Bearer ${await signBearerToken(key, identity)}` }
  if (body !== undefined) {
    const digest = typeof body === 'object' && 'digest' in body ? body.digest : digestOf(body)
    headers['content-type'] = contentType
    headers.digest = digest
    // Its own jti and the bearer's lifetime (60 s): Snodo takes each signature once, within auth.maxTokenLifetimeSeconds.
    headers['agid-jwt-signature'] = await signIntegrity(key, {
      issuer: identity.clientId,
      audience: identity.audience,
      headers: { digest, 'content-type': contentType },
      lifetimeSeconds: 60,
    })
  }
  return headers
}

export function createSnodoClient(identity: ClientIdentity, options: { snodoKeys?: JWTVerifyGetKey; rejectUnverified?: boolean } = {}) {
  const baseUrl = identity.baseUrl.replace(/\/$/, '')
  const audience = identity.audience ?? baseUrl
  const keyPromise = importSigningKey(identity.privateJwk)
  const snodoKeys = options.snodoKeys ?? createRemoteJWKSet(new URL(`${baseUrl}/.well-known/jwks.json`))

  async function request(method: string, path: string, init: RequestOptions = {}): Promise<SnodoResponse> {
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
    const headers = { ...(await signRequest(await keyPromise, { clientId: identity.clientId, audience }, body)), ...init.headers }
    if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body })
    const bytes = new Uint8Array(await res.arrayBuffer())
    const text = new TextDecoder().decode(bytes)
    const isJson = /json/.test(res.headers.get('content-type') ?? '')
    const response: SnodoResponse = {
      status: res.status,
      headers: res.headers,
      body: isJson && text ? JSON.parse(text) : text,
      text,
      verification: await verifyResponse(res.headers, bytes, { issuer: audience, clientId: identity.clientId, keys: snodoKeys }),
    }
    if (options.rejectUnverified && !response.verification.verified) {
      throw new ResponseNotVerifiedError(response as SnodoResponse & { verification: { verified: false; reason: string } })
    }
    return response
  }

  return {
    request,
    get: (path: string, init?: RequestOptions) => request('GET', path, init),
    post: (path: string, body: unknown, init?: Omit<RequestOptions, 'body'>) => request('POST', path, { ...init, body }),
  }
}
export type SnodoClient = ReturnType<typeof createSnodoClient>

/** Checks Snodo's Digest and Agid-JWT-Signature on an answer; never throws, says why instead. */
export async function verifyResponse(
  headers: Headers,
  body: Uint8Array,
  expected: { issuer: string; clientId: string; keys: JWTVerifyGetKey },
): Promise<Verification> {
  const signature = headers.get('agid-jwt-signature')
  const digest = headers.get('digest')
  if (!signature || !digest) return { verified: false, reason: 'the response has no Digest or Agid-JWT-Signature header' }
  if (digest !== digestOf(body)) return { verified: false, reason: 'the response Digest does not match its body' }
  try {
    const { payload, protectedHeader } = await jwtVerify(signature, expected.keys, { issuer: expected.issuer, audience: [expected.clientId, 'anonymous'] })
    const mismatch = signedHeadersMismatch(payload.signed_headers, { digest, 'content-type': headers.get('content-type') ?? '' }, ['digest', 'content-type'])
    if (mismatch) return { verified: false, reason: mismatch }
    return { verified: true, kid: String(protectedHeader.kid) }
  } catch (error) {
    return { verified: false, reason: `Agid-JWT-Signature: ${error instanceof Error ? error.message : String(error)}` }
  }
}
