// The benchmark's uploader: streams `bytes` of a 1 MiB random block, repeated, in 64 KiB writes with
// backpressure (the client holds 1 MiB whatever the size), signed over the whole content (Digest
// computed beforehand), and asks the server's memory probe for its growth around each upload. The
// upload can pause midway, for the probe to see what the server holds of it while it waits.
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import { signRequest } from '../../src/client/index.ts'
import type { SigningKey } from '../../src/trust/modi.ts'
import { audience, clientId, tenant } from '../delivery/snodo-config.ts'
import type { MemoryGrowth, ProbeAnswer } from './memory-probe.ts'

const chunk = 64 * 1024
const block = randomBytes(2 ** 20)

export type Upload = { bytes: number; digest: string; sha256: string }

export function upload(bytes: number): Upload {
  const hash = createHash('sha256')
  for (let at = 0; at < bytes; at += block.length) hash.update(block.subarray(0, Math.min(block.length, bytes - at)))
  const digest = hash.digest()
  return { bytes, digest: `SHA-256=${digest.toString('base64')}`, sha256: digest.toString('hex') }
}

/** Pauses the upload once `atByte` bytes are sent, until `whilePaused` resolves. */
export type Pause = { atByte: number; whilePaused: () => Promise<unknown> }

async function* content(bytes: number, pause?: Pause) {
  for (let at = 0; at < bytes; at += chunk) {
    if (at === pause?.atByte) await pause.whilePaused()
    const offset = at % block.length
    yield block.subarray(offset, offset + Math.min(chunk, bytes - at))
  }
}

/** POSTs the upload; Snodo's signed headers when `key` is given (the baseline needs none). */
export async function send(port: number, path: string, u: Upload, key?: SigningKey, pause?: Pause): Promise<{ status: number; body: string }> {
  const signed = key ? await signRequest(key, { clientId, audience }, { digest: u.digest }, 'application/pdf') : { 'content-type': 'application/pdf' }
  return new Promise((resolve, reject) => {
    const headers = { ...signed, 'content-length': String(u.bytes), 'x-document-name': 'planimetria.pdf' }
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      let body = ''
      res
        .setEncoding('utf8')
        .on('data', (s: string) => (body += s))
        .once('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.once('error', reject)
    Readable.from(content(u.bytes, pause)).pipe(req)
  })
}

export const documentsPath = `/v1/tenants/${tenant}/documents`

/** GETs a stored document's bytes, signed, hashing them as they come; resolves with status and sha256. */
export async function download(port: number, sha256: string, key: SigningKey): Promise<{ status: number; sha256: string }> {
  const headers = await signRequest(key, { clientId, audience })
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `${documentsPath}/${sha256}/content`, headers }, (res) => {
      const hash = createHash('sha256')
      res.on('data', (bytes: Buffer) => hash.update(bytes)).once('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex') }))
      res.once('error', reject)
    })
    req.once('error', reject).end()
  })
}

/** Talks to a server's memory probe (bench/uploads/memory-probe.ts) over its stdin and stdout. */
export function probeOf(child: ChildProcess) {
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> })
  const ask = (command: string) =>
    new Promise<string>((resolve) => {
      lines.once('line', resolve)
      child.stdin?.write(`${command}\n`)
    })
  return {
    mark: () => ask('mark'),
    peak: async () => JSON.parse(await ask('peak')) as ProbeAnswer,
    held: async () => JSON.parse(await ask('held')) as MemoryGrowth,
  }
}
