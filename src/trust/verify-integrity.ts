// ModI INTEGRITY_REST_01 (pdnd/FACTS.md): Digest must match the raw bytes, and Agid-JWT-Signature,
// by the same client, must sign digest and content-type with the values actually sent.
import { type JWTVerifyGetKey, jwtVerify } from 'jose'
import { SnodoError } from '../errors.ts'
import { classifyJoseError, requireKid } from './verify-bearer.ts'
import { allowedAlgorithms, digestOf, signedHeadersMismatch } from './modi.ts'

export type IntegrityInput = {
  body: Uint8Array
  digest: string | undefined
  signature: string | undefined
  contentType: string | undefined
}

type Signer = { clientId: string; keys: JWTVerifyGetKey }
type Policy = { audience: string; leewaySeconds: number }

export async function verifyIntegrity(input: IntegrityInput, signer: Signer, policy: Policy): Promise<void> {
  if (!input.signature) throw new SnodoError('signature_missing', 'A request with a body needs Agid-JWT-Signature (INTEGRITY_REST_01)')
  if (!input.digest) throw new SnodoError('digest_missing', 'A request with a body needs Digest: SHA-256=<base64 of the body>')
  if (input.digest !== digestOf(input.body)) throw new SnodoError('digest_mismatch', 'Digest is not the SHA-256 of the bytes received')
  await verifySignedHeaders(input, signer, policy)
}

/**
 * The headers half of INTEGRITY_REST_01, for a body too large to hold: the Digest is compared by the
 * caller once the bytes have streamed past (a mismatch then is `digest_mismatch`, nothing kept).
 */
export async function verifySignedHeaders(input: Omit<IntegrityInput, 'body'>, signer: Signer, policy: Policy): Promise<void> {
  if (!input.signature) throw new SnodoError('signature_missing', 'A request with a body needs Agid-JWT-Signature (INTEGRITY_REST_01)')
  if (!input.digest) throw new SnodoError('digest_missing', 'A request with a body needs Digest: SHA-256=<base64 of the body>')
  let payload
  try {
    ;({ payload } = await jwtVerify(input.signature, requireKid(signer.keys, 'its header'), {
      algorithms: [...allowedAlgorithms],
      audience: policy.audience,
      clockTolerance: policy.leewaySeconds,
      requiredClaims: ['iat', 'exp'],
    }))
  } catch (error) {
    const cause = classifyJoseError(error, policy.audience)
    throw new SnodoError('signature_invalid', `Agid-JWT-Signature: ${cause.message}`)
  }
  if (payload.iss !== undefined && payload.iss !== signer.clientId) {
    throw new SnodoError('signature_invalid', 'Agid-JWT-Signature iss must be the client that sent the bearer token')
  }
  const mismatch = signedHeadersMismatch(payload.signed_headers, { digest: input.digest, 'content-type': input.contentType }, ['digest', 'content-type'])
  if (mismatch) throw new SnodoError('signed_headers_mismatch', mismatch)
}
