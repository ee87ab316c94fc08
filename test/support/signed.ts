// Builds signed requests for app.request(), with a hook to break any part on purpose.
import { importSigningKey, signRequest } from '../../src/client/index.ts'
import { publicUrl, type TestClient } from './test-app.ts'

export async function signedInit(
  client: TestClient,
  init: { method?: string; body?: string | object; contentType?: string; headers?: Record<string, string> } = {},
): Promise<RequestInit> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
  const key = await importSigningKey(client.privateJwk)
  const headers = await signRequest(key, { clientId: client.clientId, audience: publicUrl }, body, init.contentType)
  return { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers: { ...headers, ...init.headers }, body }
}
