// The "same-crypto" variant of the bare baselines (BENCH_SAME_CRYPTO=1): the two ECDSA operations
// Snodo's trust model adds to the baselines' one (DESIGN §4), and nothing else — a jose verify of the
// request's Agid-JWT-Signature, and an ES256 JWT over the answer's digest.
import { createHash } from 'node:crypto'
import { generateKeyPair, jwtVerify, SignJWT } from 'jose'

/** Undefined unless BENCH_SAME_CRYPTO=1; `key` and `audience` are the ones the baseline verifies the bearer with. */
export async function sameCrypto(key: CryptoKey | Uint8Array, audience: string) {
  if (process.env.BENCH_SAME_CRYPTO !== '1') return undefined
  const answerKey = (await generateKeyPair('ES256')).privateKey
  return {
    verifyIntegrity: (signature: string | undefined) => jwtVerify(signature ?? '', key, { algorithms: ['ES256'], audience }),
    /** The answer's headers: its type, Digest and the Agid-JWT-Signature signing that digest. */
    async answerHeaders(answer: string) {
      const digest = `SHA-256=${createHash('sha256').update(answer).digest('base64')}`
      const signature = await new SignJWT({ signed_headers: [{ digest }] }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().sign(answerKey)
      return { 'content-type': 'application/json', digest, 'agid-jwt-signature': signature }
    },
  }
}
