// A loopback HTTPS platform that requires a client certificate issued by the test CA
// (nodo-certificates.ts makes them): it answers every request with `answer`, and records which
// client certificate subject each request came with.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { nodoCertificates } from './nodo-certificates.ts'

export type Seen = { method: string; url: string; subject: string }
export type Answer = { status: number; headers?: Record<string, string>; body: string }

export async function startMtlsPlatform(answer: (method: string, url: string) => Answer) {
  const certs = await nodoCertificates()
  const seen: Seen[] = []
  const tls = {
    cert: readFileSync(certs.files.cert, 'utf8'),
    key: readFileSync(certs.files.key, 'utf8'),
    ca: certs.ca.cert,
    requestCert: true,
    rejectUnauthorized: true,
  }
  const server = createServer(tls, (req, res) => {
    const subject = String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '')
    req.resume()
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', subject })
      const reply = answer(req.method ?? '', req.url ?? '')
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    certs,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
