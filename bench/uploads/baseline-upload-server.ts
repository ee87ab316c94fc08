// The bare baseline: a plain node:http server piping each request body through a SHA-256 hash into a
// file (stream/promises pipeline, default highWaterMarks), answering 201 with the hash. No auth, no
// framework. Prints {"port"} once it listens; answers the memory probe on stdin.
import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { answerMemoryProbes } from './memory-probe.ts'

const dir = process.env.BENCH_DOCUMENTS_DIR as string

const server = createServer(async (req, res) => {
  const file = join(dir, `baseline-${randomUUID()}`)
  const hash = createHash('sha256')
  let size = 0
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      hash.update(chunk)
      done(null, chunk)
    },
  })
  try {
    await pipeline(req, hashing, createWriteStream(file))
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sha256: hash.digest('hex'), size }))
  } catch {
    res.writeHead(400).end()
  } finally {
    await rm(file, { force: true }) // the benchmark keeps nothing
  }
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })))
answerMemoryProbes()
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop) // the orchestrator died: do not linger
