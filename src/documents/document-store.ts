// Documents uploaded before the practice that uses them: streamed to disk (memory stays flat whatever
// the size), hashed on the way, kept under their sha256 per tenant; the metadata lives in Redis. With
// several instances, `documents.dir` must be a volume they share.
import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Redis } from 'ioredis'
import { SnodoError } from '../errors.ts'

export type DocumentMeta = { sha256: string; name: string; contentType: string; size: number; uploadedAt: string; uploadedBy: string }

export function createDocumentStore(deps: { redis: Redis; prefix: string; dir: string; clock: () => Date }) {
  const metaKey = (tenantId: string) => `${deps.prefix}:docs:${tenantId}`
  const pathOf = (tenantId: string, sha256: string) => join(deps.dir, tenantId, sha256)
  return {
    /** Streams the body to disk; refuses it past maxBytes (413) or when its SHA-256 is not `expectedDigest`. */
    async put(tenantId: string, body: ReadableStream<Uint8Array>, meta: { name: string; contentType: string; uploadedBy: string; expectedDigest: string; maxBytes: number }): Promise<DocumentMeta> {
      await mkdir(join(deps.dir, tenantId), { recursive: true, mode: 0o700 })
      const partial = join(deps.dir, tenantId, `.${randomUUID()}.part`)
      const hash = createHash('sha256')
      let size = 0
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length
          if (size > meta.maxBytes) return done(new SnodoError('payload_too_large', `The document exceeds ${meta.maxBytes} bytes`))
          hash.update(chunk)
          done(null, chunk)
        },
      })
      try {
        await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), measure, createWriteStream(partial, { mode: 0o600 }))
      } catch (error) {
        await rm(partial, { force: true })
        throw error instanceof SnodoError ? error : new SnodoError('malformed_request', 'The upload was interrupted')
      }
      const digest = hash.digest()
      if (`SHA-256=${digest.toString('base64')}` !== meta.expectedDigest) {
        await rm(partial, { force: true })
        throw new SnodoError('digest_mismatch', 'Digest is not the SHA-256 of the bytes received; nothing was kept')
      }
      const stored: DocumentMeta = { sha256: digest.toString('hex'), name: meta.name, contentType: meta.contentType, size, uploadedAt: deps.clock().toISOString(), uploadedBy: meta.uploadedBy }
      await rename(partial, pathOf(tenantId, stored.sha256))
      await deps.redis.hset(metaKey(tenantId), stored.sha256, JSON.stringify(stored))
      return stored
    },
    async meta(tenantId: string, sha256: string): Promise<DocumentMeta | undefined> {
      const found = await deps.redis.hget(metaKey(tenantId), sha256.toLowerCase())
      return found ? (JSON.parse(found) as DocumentMeta) : undefined
    },
    read: (tenantId: string, sha256: string) => readFile(pathOf(tenantId, sha256.toLowerCase())),
  }
}
export type DocumentStore = ReturnType<typeof createDocumentStore>
