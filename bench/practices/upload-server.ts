// Part 2's server: Snodo's whole app (createApp, as `npm start` serves it) with the benchmark's tenant
// and client (delivery/snodo-config.ts) and uploaded documents kept in BENCH_DOCUMENTS_DIR, a temp
// directory of the run. Prints {"port"} once it listens.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { serve } from '@hono/node-server'
import { createApp } from '../../src/app.ts'
import { readEnv } from '../../src/config.ts'
import { createDeps } from '../../src/deps.ts'
import { createLogger } from '../../src/logger.ts'
import { benchConfig } from '../delivery/snodo-config.ts'

const env = readEnv()
const validated = benchConfig()
const config = { ...validated, documents: { ...validated.documents, dir: process.env.BENCH_DOCUMENTS_DIR as string } }
const deps = await createDeps({ config, env, logger: createLogger(env.LOG_LEVEL) })
const server = serve({ fetch: createApp(deps).fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  server.close()
  await deps.close()
  process.exit(0)
}
// "mem" on stdin: the process's own view (heap, external, array buffers) as it is and after a full GC,
// to tell bytes still held from garbage not yet collected. gc made reachable without a node flag.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
  if (!chunk.includes('mem')) return
  const now = process.memoryUsage()
  gc()
  process.stdout.write(`${JSON.stringify({ now, collected: process.memoryUsage() })}\n`)
})
process.once('SIGTERM', () => void stop())
process.stdin.on('end', () => void stop())
process.stdin.resume()
