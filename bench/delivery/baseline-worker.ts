// Parts 2, bare baseline: one BullMQ Worker at concurrency 50 doing, per job, the same undici POST of
// the same JSON body to the same receiver (pooled Agent like Snodo's sender): no record, no signature,
// no circuit. Prints {"ready"} once connected.
import { Worker } from 'bullmq'
import { Agent, request } from 'undici'

const url = process.env.BENCH_RECEIVER_URL as string
const agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 })
const worker = new Worker(
  'bare-webhooks',
  async (job) => {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(job.data.payload),
      dispatcher: agent,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    })
    await res.body.dump()
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`receiver answered ${res.statusCode}`)
  },
  { connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null }, prefix: process.env.SNODO_REDIS_PREFIX, concurrency: 50 },
)
worker.on('error', (err) => console.error('baseline worker error', err))
await worker.waitUntilReady()
console.log(JSON.stringify({ ready: true }))

const stop = () =>
  void worker
    .close()
    .then(() => agent.close())
    .finally(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
