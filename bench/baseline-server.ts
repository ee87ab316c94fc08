// The bare baseline: one Hono route doing one jose verify of the bearer (ES256, the client's key) and
// one zod parse of the JSON body, answering 200 JSON. It prints {"port"} once it listens.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { importJWK, type JWK, jwtVerify } from 'jose'
import { z } from 'zod'

const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK as string) as JWK
const audience = process.env.BENCH_AUDIENCE as string
const key = await importJWK(publicJwk, 'ES256')
const Body = z.record(z.string(), z.unknown()) // the same schema as Snodo's EchoRequest

const app = new Hono()
app.post('/v1/tenants/:tenantId/echo', async (c) => {
  const token = (c.req.header('authorization') ?? '').slice('Bearer '.length)
  const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], audience })
  const body = Body.parse(await c.req.json())
  return c.json({ clientId: payload.iss, tenantId: c.req.param('tenantId'), fields: Object.keys(body).length })
})

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop) // the orchestrator died: do not linger
process.stdin.resume()
