// Documents uploaded before the practice that uses them: streamed to disk (memory stays flat whatever
// the size), hashed on the way, kept under their sha256 per tenant; the metadata lives in Redis. With
// several instances, `documents.dir` must be a volume they share.
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline as chain, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Redis } from 'ioredis'
import { SnodoError } from '../errors.ts'
import { digestOfSha256 } from '../trust/modi.ts'
import { verifiedPassThrough } from './verified-pass-through.ts'

export type DocumentMeta = { sha256: string; name: string; contentType: string; size: number; uploadedAt: string; uploadedBy: string }

/** Our disk failed (full, unwritable, missing volume): a 503 for the client, nothing kept. */
const storageUnavailable = (error: NodeJS.ErrnoException) =>
  new SnodoError('service_unavailable', `Documents cannot be stored right now (${error.code ?? 'write error'}); nothing was kept, retry later`)

export function createDocumentStore(deps: { redis: Redis; prefix: string; dir: string; clock: () => Date }) {
  const metaKey = (tenantId: string) => `${deps.prefix}:docs:${tenantId}`
  const pathOf = (tenantId: string, sha256: string) => join(deps.dir, tenantId, sha256)
  return {
    /** Streams the body to disk; refuses it past maxBytes (413) or when its SHA-256 is not `expectedDigest`. */
    async put(
      tenantId: string,
      body: Readable,
      meta: { name: string; contentType: string; uploadedBy: string; expectedDigest: string; maxBytes: number },
    ): Promise<DocumentMeta> {
      await mkdir(join(deps.dir, tenantId), { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        throw storageUnavailable(error)
      })
      const partial = join(deps.dir, tenantId, `.${randomUUID()}.part`)
      const check = verifiedPassThrough({
        maxBytes: meta.maxBytes,
        tooLarge: () => new SnodoError('payload_too_large', `The document exceeds ${meta.maxBytes} bytes`),
        verify: (sha256) =>
          digestOfSha256(sha256) === meta.expectedDigest
            ? undefined
            : new SnodoError('digest_mismatch', 'Digest is not the SHA-256 of the bytes received; nothing was kept'),
      })
      const file = createWriteStream(partial, { mode: 0o600 })
      // Which side failed: the file (our disk: full, unwritable) is ours to answer for, not the client's.
      let diskError: NodeJS.ErrnoException | undefined
      file.once('error', (error) => (diskError = error))
      try {
        // Backpressure end to end: the socket is read no faster than the file is written.
        await pipeline(body, check.stream, file)
      } catch (error) {
        await rm(partial, { force: true })
        if (error instanceof SnodoError) throw error
        if (diskError) throw storageUnavailable(diskError)
        throw new SnodoError('malformed_request', 'The upload was interrupted')
      }
      const { sha256, size } = check.measured()
      if (size === 0) {
        await rm(partial, { force: true })
        throw new SnodoError('validation_failed', 'The document is empty', { errors: [{ path: 'body', message: 'at least one byte' }] })
      }
      const stored: DocumentMeta = {
        sha256,
        name: meta.name,
        contentType: meta.contentType,
        size,
        uploadedAt: deps.clock().toISOString(),
        uploadedBy: meta.uploadedBy,
      }
      await rename(partial, pathOf(tenantId, sha256))
      await deps.redis.hset(metaKey(tenantId), sha256, JSON.stringify(stored))
      return stored
    },
    async meta(tenantId: string, sha256: string): Promise<DocumentMeta | undefined> {
      const found = await deps.redis.hget(metaKey(tenantId), sha256.toLowerCase())
      return found ? (JSON.parse(found) as DocumentMeta) : undefined
    },
    read: (tenantId: string, sha256: string) => readFile(pathOf(tenantId, sha256.toLowerCase())),
    /**
     * The document's bytes as a stream, checked on the way against its sha256 and size: a file changed
     * on disk since it was stored ends the stream with an error before its last chunk.
     */
    async open(tenantId: string, meta: DocumentMeta): Promise<Readable> {
      const file = await open(pathOf(tenantId, meta.sha256)).catch(() => {
        throw new SnodoError('not_found', `The bytes of document ${meta.sha256} are no longer stored`)
      })
      const changed = () => new Error(`document ${meta.sha256} changed on disk since it was stored`)
      const check = verifiedPassThrough({
        maxBytes: meta.size,
        tooLarge: changed,
        verify: (sha256, size) => (sha256 === meta.sha256 && size === meta.size ? undefined : changed()),
      })
      // A failure on either side, or the reader going away, closes the file; errors reach the reader.
      return chain(file.createReadStream(), check.stream, () => {})
    },
  }
}
export type DocumentStore = ReturnType<typeof createDocumentStore>
