// The HTTP parser's refusals over a real socket: what Node refuses before Hono runs is problem+json too.
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { rawExchange } from '../../test/support/raw-http.ts'
import { answerClientErrors } from './client-errors.ts'

let server: ServerType
let port: number
beforeAll(async () => {
  const app = new Hono().get('/', (c) => c.text('ok'))
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      port = info.port
      resolve()
    })
  })
  answerClientErrors(server)
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const exchange = (raw: string) => rawExchange({ host: '127.0.0.1', port }, raw)

it('headers over the limit: 431 problem+json request_header_too_large, the connection closed', async () => {
  const answer = await exchange(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`)
  expect(answer.status).toBe(431)
  expect(answer.headers).toMatchObject({
    'content-type': 'application/problem+json',
    'x-content-type-options': 'nosniff',
    connection: 'close',
    'x-request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
  })
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body))
  expect(JSON.parse(answer.body)).toEqual({
    type: 'urn:snodo:problem:request_header_too_large',
    title: 'Request headers too large',
    status: 431,
    detail: 'The request line and headers exceed 16384 bytes',
    code: 'request_header_too_large',
    requestId: answer.headers['x-request-id'],
  })
})

it('many small headers over the limit, and a URL over it, are the same 431', async () => {
  const many = Array.from({ length: 600 }, (_, i) => `X-H${i}: ${'b'.repeat(30)}\r\n`).join('')
  expect((await exchange(`GET / HTTP/1.1\r\nHost: x\r\n${many}\r\n`)).status).toBe(431)
  expect(JSON.parse((await exchange(`GET /${'c'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`)).body).code).toBe('request_header_too_large')
})

it.each([
  ['a request line that is not HTTP', 'HELLO\r\n\r\n', 'HPE_INVALID_METHOD'],
  ['an invalid header name', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
  ['a control character in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
  ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'HPE_'],
  ['an invalid chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HPE_INVALID_CHUNK_SIZE'],
  ['an unknown HTTP version', 'GET / HTTP/7.3\r\nHost: x\r\n\r\n', 'HPE_'],
])('%s: 400 problem+json malformed_request naming the parser error', async (_, raw, parserCode) => {
  const answer = await exchange(raw)
  expect(answer.status).toBe(400)
  expect(answer.headers['content-type']).toBe('application/problem+json')
  expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'malformed_request', detail: expect.stringContaining(parserCode) })
})

it('a valid request on the same server is untouched', async () => {
  const answer = await exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  expect(answer.status).toBe(200)
  expect(answer.body).toBe('ok')
})
