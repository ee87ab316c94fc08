// Part 1, bare baseline: one BullMQ Worker at concurrency 50 doing, per job, the three App IO calls
// Snodo's delivery makes (appio/FACTS.md §2): POST /profiles, POST /messages, GET /messages/{fc}/{id},
// with undici `request` on a pooled Agent sized like Snodo's App IO client. No record, no status, no
// rate limit, no circuit, no event. Prints {"ready"} once connected.
import { Worker } from 'bullmq'
import { Agent, request } from 'undici'

const base = `${process.env.BENCH_APPIO_URL}/api/v1`
const apiKey = process.env.BENCH_IO_KEY as string
const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 }) // as createAppIoClient's own Agent

async function call(method: 'GET' | 'POST', path: string, expected: number, body?: unknown): Promise<Record<string, unknown>> {
  const res = await request(`${base}${path}`, {
    method,
    headers: { accept: 'application/json', 'ocp-apim-subscription-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: agent,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  })
  const json = (await res.body.json()) as Record<string, unknown>
  if (res.statusCode !== expected) throw new Error(`${method} ${path} answered ${res.statusCode}`)
  return json
}

type Message = { fiscalCode: string; subject: string; markdown: string }
const worker = new Worker<Message>(
  'bare-appio',
  async (job) => {
    const { fiscalCode, subject, markdown } = job.data
    const profile = await call('POST', '/profiles', 200, { fiscal_code: fiscalCode })
    if (profile.sender_allowed !== true) throw new Error('sender not allowed')
    const { id } = await call('POST', '/messages', 201, { fiscal_code: fiscalCode, content: { subject, markdown } })
    const { status } = await call('GET', `/messages/${encodeURIComponent(fiscalCode)}/${encodeURIComponent(String(id))}`, 200)
    if (status !== 'PROCESSED') throw new Error(`IO status ${status}`)
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
