// A stored document is served so that a browser can never run it in Snodo's origin: an uploaded
// HTML page comes back as a sandboxed download, never sniffed, over a real socket as `npm start` serves.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { serveTestApp } from '../../../../test/support/served-app.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import type { TestApp } from '../../../../test/support/test-app.ts'

let t: TestApp
let origin: string
let close: () => Promise<void>
beforeAll(async () => {
  ;({ t, origin, close } = await serveTestApp())
})
afterAll(() => close())

const base = '/v1/tenants/comune-a/documents'

async function upload(name: string, body: string, contentType: string) {
  const init = await signedInit(t.clients.portal, { body, contentType, headers: { 'x-document-name': encodeURIComponent(name) } })
  const res = await fetch(`${origin}${base}`, init)
  expect(res.status).toBe(201)
  return ((await res.json()) as { sha256: string }).sha256
}

const html = '<!doctype html><html><body><script>fetch("/v1/tenants/comune-a/practices").then(r => r.text()).then(alert)</script></body></html>'

it('an uploaded HTML page is served as a sandboxed attachment with nosniff, its bytes and type as stored', async () => {
  const sha256 = await upload('modulo.html', html, 'text/html')
  for (const method of ['GET', 'HEAD']) {
    const res = await fetch(`${origin}${base}/${sha256}/content`, { ...(await signedInit(t.clients.portal)), method })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="modulo.html"; filename*=UTF-8''modulo.html`)
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox")
    expect(await res.text()).toBe(method === 'GET' ? html : '')
  }
})

it.each([
  [
    'verbale (copia) n°1 l’atto*.pdf',
    `attachment; filename="verbale (copia) n_1 l_atto*.pdf"; filename*=UTF-8''verbale%20%28copia%29%20n%C2%B01%20l%E2%80%99atto%2A.pdf`,
  ],
  [`it's "quoted" 100%.txt`, `attachment; filename="it's _quoted_ 100_.txt"; filename*=UTF-8''it%27s%20%22quoted%22%20100%25.txt`],
  ['città.pdf', `attachment; filename="citt_.pdf"; filename*=UTF-8''citt%C3%A0.pdf`],
])('the stored name %s is given as RFC 6266 filename (ASCII) and filename* (RFC 5987 UTF-8)', async (name, disposition) => {
  const sha256 = await upload(name, `bytes of ${name}`, 'application/pdf')
  const res = await fetch(`${origin}${base}/${sha256}/content`, await signedInit(t.clients.portal))
  expect(res.headers.get('content-disposition')).toBe(disposition)
  const encoded = /filename\*=UTF-8''(.*)$/.exec(disposition)?.[1] as string
  expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/) // attr-char or %XX only
  expect(decodeURIComponent(encoded)).toBe(name)
})

it('every answer carries nosniff: JSON, problems, operational routes, 404 and 405, the SOAP endpoint', async () => {
  const answers = await Promise.all([
    fetch(`${origin}/v1/tenants/comune-a`, await signedInit(t.clients.portal)),
    fetch(`${origin}/v1/tenants/comune-a`),
    fetch(`${origin}/health/live`),
    fetch(`${origin}/openapi/v1.yaml`),
    fetch(`${origin}/nowhere`),
    fetch(`${origin}/health/live`, { method: 'DELETE' }),
    fetch(`${origin}/pagopa/nodo`, { method: 'POST', body: 'not xml', headers: { 'content-type': 'text/xml' } }),
  ])
  expect(answers.map((r) => r.status)).toEqual([200, 401, 200, 200, 404, 405, expect.any(Number)])
  for (const res of answers) expect([res.url, res.headers.get('x-content-type-options')]).toEqual([res.url, 'nosniff'])
})
