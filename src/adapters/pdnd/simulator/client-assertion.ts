// Validates a client_assertion the way the PDND authorization server does (pdnd/FACTS.md
// "client_assertion JWT, as the PDND server actually validates it"): RS256 only, kid required,
// iss = sub = client_id, aud = the configured audience, jti/iat/exp, purposeId for consumers, no leeway.
import { decodeProtectedHeader, importJWK, type JWK, type JWTPayload, jwtVerify } from 'jose'

/** A PDND client with its key and, for each active purpose, the audience of the e-service it reaches. */
export type RegisteredClient = { clientId: string; kid: string; publicJwk: JWK; purposes: Record<string, string> }
export type AssertionCheck = { ok: true; client: RegisteredClient; payload: JWTPayload; purposeId: string } | { ok: false; status: 400 | 401; detail: string }

const kidPattern = /^[a-zA-Z0-9_-]{43}$/

export async function checkClientAssertion(
  assertion: string,
  expected: { audience: string; clientId?: string; now: Date },
  clients: ReadonlyMap<string, RegisteredClient>,
): Promise<AssertionCheck> {
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(assertion)
  } catch {
    return { ok: false, status: 400, detail: 'client_assertion is not a JWS' }
  }
  if (header.alg !== 'RS256') return { ok: false, status: 400, detail: `client_assertion alg must be RS256, got ${header.alg}` }
  if (!header.kid || !kidPattern.test(header.kid)) return { ok: false, status: 400, detail: 'client_assertion kid must be the 43-character key thumbprint' }
  const client = [...clients.values()].find((c) => c.kid === header.kid)
  if (!client) return { ok: false, status: 401, detail: 'unknown kid' }
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(assertion, await importJWK(client.publicJwk, 'RS256'), {
      algorithms: ['RS256'],
      issuer: client.clientId,
      subject: client.clientId,
      audience: expected.audience,
      currentDate: expected.now,
      requiredClaims: ['jti', 'iat', 'exp'],
    }))
  } catch (error) {
    return { ok: false, status: 401, detail: `client_assertion rejected: ${error instanceof Error ? error.message : 'invalid'}` }
  }
  if (expected.clientId && expected.clientId !== client.clientId) return { ok: false, status: 400, detail: 'client_id differs from sub' }
  const purposeId = typeof payload.purposeId === 'string' ? payload.purposeId : undefined
  if (!purposeId) return { ok: false, status: 400, detail: 'purposeId is required for consumer clients' }
  if (!client.purposes[purposeId]) return { ok: false, status: 401, detail: `purpose ${purposeId} is not active for this client` }
  return { ok: true, client, payload, purposeId }
}
