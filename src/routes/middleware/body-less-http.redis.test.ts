// Requests without a body over real HTTP (the app served by @hono/node-server, as `npm start` does):
// @hono/node-server gives every request but GET/HEAD a body stream, so only Content-Length and
// Transfer-Encoding can say whether a body was sent (RFC 9112 §6.3), and only then is one signed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestBytes, sendRaw } from '../../../test/support/raw-http.ts'
import { serveTestApp } from '../../../test/support/served-app.ts'
import { signedInit } from '../../../test/support/signed.ts'
import { publicUrl, type TestApp } from '../../../test/support/test-app.ts'
import { importSigningKey, signRequest } from '../../client/index.ts'

let t: TestApp
let origin: string
let close: () => Promise<void>
beforeAll(async () => {
  ;({ t, origin, close } = await serveTestApp())
})
afterAll(() => close())

const endpoints = '/v1/tenants/comune-a/webhook-endpoints'
const bearerOnly = async () => signRequest(await importSigningKey(t.clients.portal.privateJwk), { clientId: 'portal', audience: publicUrl })
const anEndpoint = async () => {
  const created = await t.app.request(endpoints, await signedInit(t.clients.portal, { body: { url: 'https://93.184.215.14/hooks', events: ['*'] } }))
  expect(created.status).toBe(201)
  return ((await created.json()) as { id: string }).id
}
const send = async (method: string, path: string, headers: Record<string, string>, body?: string) =>
  sendRaw(origin, requestBytes(origin, method, path, { ...(await bearerOnly()), ...headers }, body))

describe('a request without a body needs no Agid-JWT-Signature, over HTTP', () => {
  it('DELETE as the contract defines it (no Content-Length, no Transfer-Encoding) → 204', async () => {
    const id = await anEndpoint()
    const res = await send('DELETE', `${endpoints}/${id}`, {})
    expect(res.status, res.text).toBe(204)
    expect((await t.app.request(`${endpoints}/${id}`, await signedInit(t.clients.portal))).status).toBe(404)
  })

  it('POST …/ping without a body, with neither header or with Content-Length: 0 → 202', async () => {
    const id = await anEndpoint()
    const bare = await send('POST', `${endpoints}/${id}/ping`, {})
    expect(bare.status, bare.text).toBe(202)
    const zero = await send('POST', `${endpoints}/${id}/ping`, { 'content-length': '0' })
    expect(zero.status, zero.text).toBe(202)
  })

  it('GET → 200', async () => {
    const res = await send('GET', '/v1/tenants/comune-a', {})
    expect(res.status, res.text).toBe(200)
  })

  it('a body still has to be signed, whether it comes with Content-Length or chunked', async () => {
    const id = await anEndpoint()
    const sized = await send('DELETE', `${endpoints}/${id}`, { 'content-type': 'application/json', 'content-length': '2' }, '{}')
    expect([sized.status, sized.json().code]).toEqual([401, 'signature_missing'])
    const chunked = await send(
      'POST',
      `${endpoints}/${id}/ping`,
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      '2\r\n{}\r\n0\r\n\r\n',
    )
    expect([chunked.status, chunked.json().code]).toEqual([401, 'signature_missing'])
    // Nothing was deleted.
    expect((await t.app.request(`${endpoints}/${id}`, await signedInit(t.clients.portal))).status).toBe(200)
  })
})
