// Documents uploaded first, streamed: signed headers checked before anything is written, the Digest
// after the bytes; too large is cut off; a practice then references the document by its sha256.
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { createTestApp, type TestApp } from '../../../../test/support/test-app.ts'
import { importSigningKey, signRequest } from '../../../client/index.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ config: { documents: { maxBytes: 3_000_000 } } })
})
afterAll(() => t.close())

const base = '/v1/tenants/comune-a/documents'

async function upload(
  bytes: Uint8Array,
  options: { name?: string; rawName?: string; sign?: Uint8Array; contentType?: string; chunked?: boolean } = {},
  on: TestApp = t,
) {
  const key = await importSigningKey(on.clients.portal.privateJwk)
  const headers = await signRequest(
    key,
    { clientId: 'portal', audience: 'https://snodo.test' },
    options.sign ?? bytes,
    options.contentType ?? 'application/pdf',
  )
  const body = options.chunked
    ? new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.subarray(i, i + 65_536))
          controller.close()
        },
      })
    : bytes
  const res = await on.app.request(base, {
    method: 'POST',
    headers: { ...headers, 'x-document-name': options.rawName ?? encodeURIComponent(options.name ?? 'planimetria.pdf') },
    body,
    ...(options.chunked ? { duplex: 'half' } : {}),
  } as RequestInit)
  await expectConforms(res, 'POST', '/v1/tenants/{tenantId}/documents')
  return res
}

const twoMegabytes = new Uint8Array(2_000_000).map((_, i) => i % 251)
const sha256 = createHash('sha256').update(twoMegabytes).digest('hex')
const storedFiles = () => readdirSync(join(t.deps.config.documents.dir as string, 'comune-a')).filter((f) => !f.startsWith('.'))

it('stores a streamed document under its sha256 and serves it back', async () => {
  const res = await upload(twoMegabytes, { chunked: true, name: 'planimetria è.pdf' })
  expect(res.status).toBe(201)
  expect(await res.json()).toMatchObject({ sha256, name: 'planimetria è.pdf', contentType: 'application/pdf', size: 2_000_000, uploadedBy: 'portal' })
  // Audited with the digest of the bytes, though they were never held in memory.
  const audit = (await t.deps.audit.read()).at(-1)?.record
  expect(audit).toMatchObject({
    who: 'portal',
    tenant: 'comune-a',
    action: 'document.upload',
    outcome: 'ok',
    payloadDigest: `SHA-256=${createHash('sha256').update(twoMegabytes).digest('base64')}`,
  })
  const meta = await t.app.request(`${base}/${sha256}`, await signedInit(t.clients.portal))
  await expectConforms(meta, 'GET', '/v1/tenants/{tenantId}/documents/{sha256}')
  const content = await t.app.request(`${base}/${sha256}/content`, await signedInit(t.clients.portal))
  expect(
    createHash('sha256')
      .update(new Uint8Array(await content.arrayBuffer()))
      .digest('hex'),
  ).toBe(sha256)
  // Another tenant's client is refused on the path; under its own tenant the document does not exist.
  await expectProblem(await t.app.request(`${base}/${sha256}`, await signedInit(t.clients.other)), 403, 'tenant_forbidden')
  await expectProblem(await t.app.request(`/v1/tenants/comune-b/documents/${sha256}`, await signedInit(t.clients.other)), 404, 'not_found')
})

it('a Digest that is not the bytes → 401 digest_mismatch, nothing kept; too large → 413 while streaming; unsigned → 401 first', async () => {
  const before = storedFiles().length
  await expectProblem(await upload(twoMegabytes, { sign: new Uint8Array([1, 2, 3]), chunked: true }), 401, 'digest_mismatch')
  await expectProblem(await upload(new Uint8Array(3_500_000), { chunked: true }), 413, 'payload_too_large')
  const unsigned = await t.app.request(base, {
    method: 'POST',
    headers: { ...(await signedInit(t.clients.portal)).headers, 'content-type': 'application/pdf', 'x-document-name': 'a.pdf' } as Record<string, string>,
    body: twoMegabytes,
  })
  await expectProblem(unsigned, 401, 'signature_missing')
  await expectProblem(await upload(twoMegabytes, { name: '../../etc/passwd' }), 400, 'validation_failed')
  // A broken percent-encoding is the client's mistake, named as such (decodeURIComponent throws on it).
  const badName = await expectProblem(await upload(twoMegabytes, { rawName: 'pianta%E0%A4%A.pdf' }), 400, 'validation_failed')
  expect(badName.errors?.map((e) => e.path)).toEqual(['X-Document-Name'])
  const empty = await expectProblem(await upload(new Uint8Array(0), { chunked: true }), 400, 'validation_failed')
  expect(empty.detail).toBe('The document is empty')
  expect(storedFiles().length).toBe(before)
  expect(readdirSync(join(t.deps.config.documents.dir as string, 'comune-a')).filter((f) => f.endsWith('.part'))).toEqual([])
})

it('a practice referencing a document never uploaded is 400 on that attachment', async () => {
  const body = (sha: string) => ({
    serviceCode: 'X',
    applicant: { fiscalCode: 'IOUSER00A00Y001X', givenName: 'A', familyName: 'B' },
    subject: 's',
    data: {},
    attachments: [{ sha256: sha }],
    channel: 'online',
    submittedAt: '2026-11-23T10:00:00Z',
  })
  // comune-a has no back-office in this app: the reference is still checked by the schema first.
  const res = await t.app.request('/v1/tenants/comune-a/practices', await signedInit(t.clients.portal, { body: body('z'.repeat(64)) }))
  expect((await expectProblem(res, 400, 'validation_failed')).errors?.map((e) => e.path)).toContain('attachments.0.sha256')
})

it('a documents volume that cannot be written → 503 service_unavailable naming the cause, nothing kept, not blamed on the client', async () => {
  // A directory under a regular file cannot be made (ENOTDIR): what a missing or broken volume looks like.
  const broken = await createTestApp({ config: { documents: { dir: join(t.deps.config.documents.dir as string, 'comune-a', sha256, 'nested') } } })
  try {
    const problem = await expectProblem(await upload(twoMegabytes, {}, broken), 503, 'service_unavailable')
    expect(problem.detail).toMatch(/^Documents cannot be stored right now \(ENOTDIR\)/)
  } finally {
    await broken.close()
  }
})
