// Part 1, bare baseline: one Hono route doing one jose verify of the bearer (ES256), one zod parse of
// the JSON body and one BullMQ `add`, answering 202 JSON. Prints {"port"} once it listens.
// BENCH_SAME_CRYPTO=1 adds Snodo's two other ECDSA operations and nothing else (../same-crypto.ts).
import { serve } from '@hono/node-server'
import { Queue } from 'bullmq'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { importJWK, type JWK, jwtVerify } from 'jose'
import { z } from 'zod'
import { sameCrypto } from '../same-crypto.ts'

const key = await importJWK(JSON.parse(process.env.BENCH_PUBLIC_JWK as string) as JWK, 'ES256')
const audience = process.env.BENCH_AUDIENCE as string
const connection = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null })
const queue = new Queue('bare-accept', { connection, prefix: process.env.SNODO_REDIS_PREFIX })
const Body = z.record(z.string(), z.unknown())
const extra = await sameCrypto(key, audience)

const app = new Hono()
app.post('/v1/tenants/:tenantId/webhook-endpoints/:endpointId/ping', async (c) => {
  const token = (c.req.header('authorization') ?? '').slice('Bearer '.length)
  const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], audience })
  await extra?.verifyIntegrity(c.req.header('agid-jwt-signature'))
  const body = Body.parse(await c.req.json())
  const job = await queue.add(
    'ping',
    { tenantId: c.req.param('tenantId'), endpointId: c.req.param('endpointId'), by: payload.iss, fields: Object.keys(body).length },
    { removeOnComplete: true },
  )
  if (!extra) return c.json({ jobId: job.id }, 202)
  const answer = JSON.stringify({ jobId: job.id })
  return c.body(answer, 202, await extra.answerHeaders(answer))
})

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))
const stop = () =>
  server.close(
    () =>
      void queue
        .close()
        .then(() => connection.quit())
        .finally(() => process.exit(0)),
  )
process.once('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
