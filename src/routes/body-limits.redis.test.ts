// Each resource's creates have the body limit its mount names (a batch of recipients may be larger;
// a document upload is counted by its streaming route); every other /v1 body takes the common one.
// All are applied before authentication, so these unsigned requests are refused for size first.
// Run in process and over a real socket (a streamed body is chunked there), as `npm start` serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem } from '../../test/support/contract.ts'
import { serveTestApp } from '../../test/support/served-app.ts'
import type { TestApp } from '../../test/support/test-app.ts'

let t: TestApp
let origin: string
let close: () => Promise<void>
beforeAll(async () => {
  ;({ t, origin, close } = await serveTestApp({ config: { limits: { bodyBytes: 4096, batchBodyBytes: 16_384 }, documents: { maxBytes: 32_768 } } }))
})
afterAll(() => close())

const streamOf = (text: string) => new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(text)), c.close()) })

/** An unsigned request with a body of `bytes` bytes, its length declared or streamed. */
const transports = {
  'in process': (method: string, path: string, bytes: number, declared: boolean) =>
    t.app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(declared ? { 'content-length': String(bytes) } : {}) },
      body: 'x'.repeat(bytes),
    }),
  'over a socket': (method: string, path: string, bytes: number, declared: boolean) =>
    fetch(`${origin}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: declared ? 'x'.repeat(bytes) : streamOf('x'.repeat(bytes)),
      duplex: 'half',
    } as RequestInit),
}

describe.each(Object.entries(transports))('%s', (_, transport) => {
  const send = (method: string, path: string, bytes: number, declared = true) => transport(method, path, bytes, declared)

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
})
