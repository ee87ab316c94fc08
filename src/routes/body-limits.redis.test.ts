// Each resource's creates have the body limit its mount names (a batch of recipients may be larger;
// a document upload is counted by its streaming route); every other /v1 body takes the common one.
// All are applied before authentication, so these unsigned requests are refused for size first.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectProblem } from '../../test/support/contract.ts'
import { createTestApp, type TestApp } from '../../test/support/test-app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ config: { limits: { bodyBytes: 4096, batchBodyBytes: 16_384 }, documents: { maxBytes: 32_768 } } })
})
afterAll(() => t.close())

/** An unsigned request with a body of `bytes` bytes, its length declared or streamed. */
const send = (method: string, path: string, bytes: number, declared = true) =>
  t.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(declared ? { 'content-length': String(bytes) } : {}) },
    body: 'x'.repeat(bytes),
  })

it.each([true, false])('a batch of recipients may be larger than any other body (length declared: %s)', async (declared) => {
  await expectProblem(await send('POST', '/v1/tenants/comune-a/message-batches', 8_000, declared), 401, 'token_missing')
  await expectProblem(await send('POST', '/v1/tenants/comune-a/message-batches', 20_000, declared), 413, 'payload_too_large')
  // Only the create has the batch limit: the batch's other routes, other methods and other resources have the common one.
  await expectProblem(await send('POST', '/v1/tenants/comune-a/message-batches/mb_x/cancel', 8_000, declared), 413, 'payload_too_large')
  await expectProblem(await send('PUT', '/v1/tenants/comune-a/message-batches', 8_000, declared), 413, 'payload_too_large')
  await expectProblem(await send('POST', '/v1/tenants/comune-a/messages', 8_000, declared), 413, 'payload_too_large')
  await expectProblem(await send('POST', '/v1/tenants/comune-a/nothing-here', 8_000, declared), 413, 'payload_too_large')
})

it('a document upload is refused for its declared length alone; its stream is left to its route', async () => {
  await expectProblem(await send('POST', '/v1/tenants/comune-a/documents', 40_000), 413, 'payload_too_large')
  await expectProblem(await send('POST', '/v1/tenants/comune-a/documents', 8_000), 401, 'token_missing')
  await expectProblem(await send('POST', '/v1/tenants/comune-a/documents', 40_000, false), 401, 'token_missing')
  // A document is read, not uploaded, with the common limit.
  await expectProblem(await send('POST', `/v1/tenants/comune-a/documents/${'a'.repeat(64)}`, 8_000), 413, 'payload_too_large')
})
