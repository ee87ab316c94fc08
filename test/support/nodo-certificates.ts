// Certificates for the station endpoint's mutual TLS, made per test run with selfsigned: a CA that
// issues the station's server certificate and the Node's client certificate, and another CA nobody
// configured. Files too, for the config's file: references.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'

export type Pem = { cert: string; key: string }

const caExtensions = [
  { name: 'basicConstraints' as const, cA: true, critical: true },
  { name: 'keyUsage' as const, keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
]

async function aCa(cn: string): Promise<Pem> {
  const made = await generate([{ name: 'commonName', value: cn }], { algorithm: 'sha256', keySize: 2048, extensions: caExtensions })
  return { cert: made.cert, key: made.private }
}

async function issued(ca: Pem, subject: { CN: string; O?: string }, use: 'server' | 'client'): Promise<Pem> {
  const attrs = [{ name: 'commonName', value: subject.CN }, ...(subject.O ? [{ name: 'organizationName', value: subject.O }] : [])]
  const made = await generate(attrs, {
    algorithm: 'sha256',
    keySize: 2048,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: use === 'server', clientAuth: use === 'client' },
      ...(use === 'server'
        ? [
            {
              name: 'subjectAltName' as const,
              altNames: [
                { type: 2 as const, value: 'localhost' },
                { type: 7 as const, ip: '127.0.0.1' },
              ],
            },
          ]
        : []),
    ],
  })
  return { cert: made.cert, key: made.private }
}

/** The Node's subject as the station config accepts it. */
export const nodoSubject = { CN: 'nodo.pagopa.test', O: 'PagoPA Test' }

export async function nodoCertificates() {
  const ca = await aCa('Test Nodo CA')
  const otherCa = await aCa('Some Other CA')
  const dir = mkdtempSync(join(tmpdir(), 'snodo-mtls-'))
  const server = await issued(ca, { CN: 'localhost' }, 'server')
  const files = { cert: join(dir, 'station.crt'), key: join(dir, 'station.key'), clientCa: join(dir, 'nodo-ca.pem') }
  writeFileSync(files.cert, server.cert)
  writeFileSync(files.key, server.key, { mode: 0o600 })
  writeFileSync(files.clientCa, ca.cert)
  return {
    ca,
    dir,
    files,
    /** The Node's: the configured CA, the configured subject. */
    nodo: await issued(ca, nodoSubject, 'client'),
    /** The configured CA, another subject. */
    wrongSubject: await issued(ca, { CN: 'nodo.pagopa.test', O: 'Someone Else' }, 'client'),
    /** The configured subject, from a CA the station does not trust. */
    otherCa: await issued(otherCa, nodoSubject, 'client'),
  }
}
