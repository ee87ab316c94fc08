// A man in the middle on loopback: forwards to Snodo and rewrites answer bodies, headers untouched,
// so a client that checks Snodo's Digest + signature must notice.
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export async function startAlteringProxy(target: string, alter: (body: string) => string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => chunks.push(chunk))
      answer.on('end', () => {
        const body = req.url?.startsWith('/v1/') ? alter(Buffer.concat(chunks).toString()) : Buffer.concat(chunks).toString()
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': Buffer.byteLength(body) })
        res.end(body)
      })
    })
    req.pipe(upstream)
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}
