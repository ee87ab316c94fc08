// A pass-through that counts and hashes (SHA-256) the bytes of a document as they flow, refuses them
// past a size, and lets the last chunk through only once the whole is approved: whoever reads it (a
// file being written, a client downloading) never gets every byte of a body that turned out wrong.
import { createHash } from 'node:crypto'
import { Transform } from 'node:stream'
import { documentBytesPassed } from './young-garbage.ts'

type Checks = { maxBytes: number; tooLarge: () => Error; verify: (sha256: string, size: number) => Error | undefined }

export function verifiedPassThrough(checks: Checks) {
  const hash = createHash('sha256')
  let size = 0
  let sha256: string | undefined
  let held: Buffer | undefined
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      if (size > checks.maxBytes) return done(checks.tooLarge())
      hash.update(chunk)
      documentBytesPassed(chunk.length)
      const previous = held
      held = chunk
      done(null, previous)
    },
    flush(done) {
      sha256 = hash.digest('hex')
      done(checks.verify(sha256, size) ?? null, held)
    },
  })
  /** The SHA-256 (hex) and size of what passed, once it has all passed. */
  const measured = () => {
    if (sha256 === undefined) throw new Error('the stream has not ended')
    return { sha256, size }
  }
  return { stream, measured }
}
