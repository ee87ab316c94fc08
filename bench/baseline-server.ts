// The bare baseline: one Hono route doing one jose verify of the bearer (ES256, the client's key) and
// one zod parse of the JSON body, answering 200 JSON. It prints {"port"} once it listens.
// With BENCH_SAME_CRYPTO=1 it also does Snodo's two other ECDSA operations (same-crypto.ts): that
// isolates what Snodo costs beyond its signatures.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { importJWK, type JWK, jwtVerify } from 'jose'
import { z } from 'zod'
import { sameCrypto } from './same-crypto.ts'

const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK as string) as JWK
const audience = process.env.BENCH_AUDIENCE as string
const key = await importJWK(publicJwk, 'ES256')
const extra = await sameCrypto(key, audience)
const Body = z.record(z.string(), z.unknown()) // the same schema as Snodo's EchoRequest

const app = new Hono()
app.post('/v1/tenants/:tenantId/echo', async (c) => {
  const token = (c.req.header('authorization') ?? '').slice('Bearer '.length)
  const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], audience })
  await extra?.verifyIntegrity(c.req.header('agid-jwt-signature'))
  const body = Body.parse(await c.req.json())
  const result = { clientId: payload.iss, tenantId: c.req.param('tenantId'), fields: Object.keys(body).length }
  if (!extra) return c.json(result)
  const answer = JSON.stringify(result)
  return c.body(answer, 200, await extra.answerHeaders(answer))
})

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop) // the orchestrator died: do not linger
process.stdin.resume()
