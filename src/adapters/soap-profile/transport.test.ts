import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSoapTransport, type Exchange, type TransportFailure } from './transport.ts'

let server: Server
let url: string
const seen: { headers: Record<string, unknown>; body: string }[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() })
      const path = req.url ?? ''
      if (path === '/dtd') return res.end('<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>')
      if (path === '/big') return res.end('x'.repeat(4096))
      if (path === '/slow') return void setTimeout(() => res.end('<a/>'), 1_000)
      if (path === '/hold') return void setTimeout(() => res.end('<held/>'), 400)
      res.writeHead(200, { 'content-type': 'text/xml' })
      res.end('<ok/>')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e as TransportFailure,
  )

describe('the SOAP transport', () => {
  const exchanges: Exchange[] = []
  const transport = createSoapTransport({ timeoutMs: 200, maxAnswerBytes: 1024, onExchange: (e) => exchanges.push(e) })
  afterAll(() => transport.close())

  it('posts what the soap library builds, without the headers undici sets itself', async () => {
    const answer = await transport({
      url: `${url}/ok`,
      method: 'POST',
      data: '<x/>',
      headers: { Host: 'elsewhere', Connection: 'keep-alive', 'Content-Length': 999, SOAPAction: '"urn:x"', 'Content-Type': 'text/xml' },
    })
    expect(answer).toMatchObject({ status: 200, data: '<ok/>' })
    expect(seen.at(-1)).toMatchObject({ body: '<x/>', headers: { soapaction: '"urn:x"', 'content-length': '4' } })
    expect(exchanges.at(-1)).toMatchObject({ soapAction: '"urn:x"', status: 200, requestBytes: 4, answerBytes: 5 })
  })

  it('refuses an answer carrying a DTD before any parser sees it', async () => {
    const failure = await failureOf(transport({ url: `${url}/dtd`, data: '<x/>' }))
    expect(failure).toMatchObject({ kind: 'protocol', reached: true })
    expect(failure.message).toMatch(/DTD/)
  })

  it('refuses an answer larger than the cap', async () => {
    expect(await failureOf(transport({ url: `${url}/big`, data: '<x/>' }))).toMatchObject({ kind: 'protocol', reached: true })
  })

  it('gives up at the deadline, knowing the vendor may have acted', async () => {
    expect(await failureOf(transport({ url: `${url}/slow`, data: '<x/>' }))).toMatchObject({ kind: 'timeout', reached: true })
    expect(await failureOf(transport({ url: `${url}/slow`, data: '<x/>', timeout: 50 }))).toMatchObject({ message: 'no answer within 50 ms' })
  })

  it('knows a call still waiting for a connection at the deadline never left Snodo, and gives it up at once', async () => {
    // One connection: the second call waits behind the first, which answers after its deadline passed.
    const pool = new Agent({ connections: 1 })
    const single = createSoapTransport({ timeoutMs: 200, maxAnswerBytes: 1024, dispatcher: pool })
    const first = single({ url: `${url}/hold`, data: '<first/>', timeout: 2_000 })
    const queued = await failureOf(single({ url: `${url}/ok`, data: '<queued/>', timeout: 50 }))
    expect(queued).toMatchObject({ kind: 'timeout', reached: false })
    expect(queued.message).toMatch(/never left Snodo/)
    // The connection frees up, the first call is answered, and the given-up one is never written.
    expect(await first).toMatchObject({ data: '<held/>' })
    expect(await single({ url: `${url}/ok`, data: '<after/>' })).toMatchObject({ data: '<ok/>' })
    expect(seen.map((s) => s.body)).toEqual(expect.arrayContaining(['<first/>', '<after/>']))
    expect(seen.map((s) => s.body)).not.toContain('<queued/>')
    await pool.close()
  })

  it('knows a refused connection never reached the vendor', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    expect(await failureOf(transport({ url: `http://127.0.0.1:${port}/`, data: '<x/>' }))).toMatchObject({ kind: 'unavailable', reached: false })
  })
})
