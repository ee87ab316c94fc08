// Documents over real HTTP on loopback (the app served by @hono/node-server, as `npm start` does):
// the route reads the Node request itself, as a stream, and serves stored documents as a stream.
import { createHash } from 'node:crypto'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { createLocalJWKSet } from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { waitFor } from '../../../../test/support/delivery-deps.ts'
import { serveTestApp } from '../../../../test/support/served-app.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { publicUrl, type TestApp } from '../../../../test/support/test-app.ts'
import { importSigningKey, signRequest, verifyResponse } from '../../../client/index.ts'
import type { Problem } from '../../../errors.ts'
import { digestOf } from '../../../trust/modi.ts'

const maxBytes = 3_000_000
let t: TestApp
let origin: string
let close: () => Promise<void>
beforeAll(async () => {
  ;({ t, origin, close } = await serveTestApp({ config: { documents: { maxBytes } } }))
})
afterAll(() => close())

const base = '/v1/tenants/comune-a/documents'
const tenantDir = () => join(t.deps.config.documents.dir as string, 'comune-a')
const filesIn = (dir: string) => {
  try {
    return readdirSync(dir)
  } catch {
    return [] // not created before the first upload
  }
}
const partials = () => filesIn(tenantDir()).filter((f) => f.endsWith('.part'))
const storedFiles = () => filesIn(tenantDir()).filter((f) => !f.startsWith('.'))
const bytesOf = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * seed) % 251)
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Opens a signed upload whose body the test writes itself; `length` declares a Content-Length, else chunked. */
async function openUpload(signedOver: Uint8Array, length?: number) {
  const key = await importSigningKey(t.clients.portal.privateJwk)
  // Signed as a streaming client signs: over the Digest, computed beforehand.
  const signed = await signRequest(key, { clientId: 'portal', audience: publicUrl }, { digest: digestOf(signedOver) }, 'application/pdf')
  const headers: Record<string, string> = { ...signed, 'x-document-name': 'planimetria.pdf' }
  if (length !== undefined) headers['content-length'] = String(length)
  const req = request(`${origin}${base}`, { method: 'POST', headers, agent: false })
  const answer = new Promise<{ status: number; json: Problem & { sha256?: string; size?: number } }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = ''
      res
        .setEncoding('utf8')
        .on('data', (s: string) => (text += s))
        .once('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }))
    })
    req.once('error', reject)
  })
  req.flushHeaders()
  const write = (bytes: Uint8Array) => new Promise<void>((resolve, reject) => req.write(bytes, (error) => (error ? reject(error) : resolve())))
  return { req, answer, write }
}

/** Uploads `bytes` whole with their Content-Length, signed over `signedOver`. */
async function uploadWhole(bytes: Uint8Array, signedOver = bytes) {
  const upload = await openUpload(signedOver, bytes.length)
  await upload.write(bytes)
  upload.req.end()
  return upload.answer
}

/** Refused with `code`; the tenant's folder holds what it held before and no partial file. */
async function expectRefusedKeepingNothing(answer: ReturnType<typeof uploadWhole>, status: number, code: string, before = storedFiles()) {
  const { status: got, json } = await answer
  expect(got).toBe(status)
  expect(json.code).toBe(code)
  expect(storedFiles()).toEqual(before)
  expect(partials()).toEqual([])
}

it('writes the body to disk as it arrives: half sent and the client waiting, all of it is in the file; then 201', async () => {
  const bytes = bytesOf(2_500_000, 7)
  const half = 1_250_000
  const upload = await openUpload(bytes, bytes.length)
  await upload.write(bytes.subarray(0, half))
  // No timing: while the body is unfinished, the server has put what it received into the file, all
  // but the last chunk, which the hash check holds back until the end.
  const written = () => partials().reduce((sum, f) => sum + statSync(join(tenantDir(), f)).size, 0)
  await waitFor(() => written() >= half - 65_536)
  expect(written()).toBeGreaterThanOrEqual(half - 65_536)
  await upload.write(bytes.subarray(half))
  upload.req.end()
  const { status, json } = await upload.answer
  expect(status).toBe(201)
  expect(json).toMatchObject({ sha256: sha256Of(bytes), size: bytes.length })
  expect(partials()).toEqual([])
})

it('a client that goes away mid-upload leaves no partial file behind', async () => {
  const bytes = bytesOf(2_000_000, 23)
  const upload = await openUpload(bytes, bytes.length)
  upload.answer.catch(() => undefined) // the connection is cut: there is no answer
  await upload.write(bytes.subarray(0, 1_000_000))
  await waitFor(() => partials().length === 1)
  upload.req.destroy()
  await waitFor(() => partials().length === 0)
  expect(partials()).toEqual([])
})

it('a chunked body past documents.maxBytes is cut off while streaming: 413, no file left', async () => {
  const before = storedFiles()
  const bytes = bytesOf(maxBytes + 500_000, 11)
  const upload = await openUpload(bytes)
  for (let at = 0; at < bytes.length; at += 65_536) upload.write(bytes.subarray(at, at + 65_536)).catch(() => undefined) // the server may stop reading
  upload.req.end()
  await expectRefusedKeepingNothing(upload.answer, 413, 'payload_too_large', before)
})

it('a Content-Length past documents.maxBytes is refused from the header alone, before any byte of the body', async () => {
  const upload = await openUpload(new Uint8Array(0), maxBytes + 1)
  // Nothing written: the answer cannot depend on the body.
  await expectRefusedKeepingNothing(upload.answer, 413, 'payload_too_large')
  upload.req.destroy()
})

it('a Digest that is not the bytes streamed → 401 digest_mismatch, nothing kept', async () => {
  const before = storedFiles()
  await expectRefusedKeepingNothing(uploadWhole(bytesOf(2_000_000, 13), bytesOf(2_000_000, 17)), 401, 'digest_mismatch', before)
})

it('streams a stored document back with its size and a signed Digest; a file changed on disk is never served whole', async () => {
  const bytes = bytesOf(2_200_000, 19)
  expect((await uploadWhole(bytes)).status).toBe(201)
  const url = `${origin}${base}/${sha256Of(bytes)}/content`

  const res = await fetch(url, await signedInit(t.clients.portal))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-length')).toBe(String(bytes.length))
  const body = new Uint8Array(await res.arrayBuffer())
  expect(sha256Of(body)).toBe(sha256Of(bytes))
  const keys = createLocalJWKSet(t.deps.keys.jwks())
  expect(await verifyResponse(res.headers, body, { issuer: publicUrl, clientId: 'portal', keys })).toMatchObject({ verified: true })
  const head = await fetch(url, { ...(await signedInit(t.clients.portal)), method: 'HEAD' })
  expect([head.status, head.headers.get('content-length'), head.headers.get('digest')]).toEqual([200, String(bytes.length), res.headers.get('digest')])

  // The same size, one byte changed: the answer stops short of its Content-Length.
  const altered = Uint8Array.from(bytes)
  altered[1_000_000] = (altered[1_000_000] as number) ^ 1
  writeFileSync(join(tenantDir(), sha256Of(bytes)), altered)
  const cut = await fetch(url, await signedInit(t.clients.portal))
  expect(cut.status).toBe(200)
  await expect(cut.arrayBuffer()).rejects.toThrow()
})
