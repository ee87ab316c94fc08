// The bare baseline: a Hono route doing one jose verify of the bearer and one zod parse of the body.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { importJWK, type JWK, jwtVerify } from 'jose'
import { z } from 'zod'

const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK as string) as JWK
const key = await importJWK(publicJwk, 'ES256')
const Body = z.record(z.string(), z.unknown())

const app = new Hono()
app.post('/v1/tenants/:tenantId/echo', async (c) => {
  const token = (c.req.header('authorization') ?? '').slice('Bearer '.length)
  const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'] })
  const body = Body.parse(await c.req.json())
  return c.json({ clientId: payload.iss, size: Object.keys(body).length })
})

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))
