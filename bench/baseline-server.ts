// The bare baseline: one Hono route doing one jose verify of the bearer (ES256, the client's key) and
// one zod parse of the JSON body, answering 200 JSON. It prints {"port"} once it listens.
// With BENCH_SAME_CRYPTO=1 it also does the other two ECDSA operations Snodo's trust model asks for
// (DESIGN §4), and nothing else: a jose verify of the Agid-JWT-Signature and an ES256 JWT signing the
// answer's digest. That isolates what Snodo costs beyond its signatures.
import { createHash } from 'node:crypto'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose'
import { z } from 'zod'

const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK as string) as JWK
const audience = process.env.BENCH_AUDIENCE as string
const sameCrypto = process.env.BENCH_SAME_CRYPTO === '1'
const key = await importJWK(publicJwk, 'ES256')
const answerKey = (await generateKeyPair('ES256')).privateKey
const Body = z.record(z.string(), z.unknown()) // the same schema as Snodo's EchoRequest

const app = new Hono()
app.post('/v1/tenants/:tenantId/echo', async (c) => {
  const token = (c.req.header('authorization') ?? '').slice('Bearer '.length)
  const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], audience })
  if (sameCrypto) await jwtVerify(c.req.header('agid-jwt-signature') ?? '', key, { algorithms: ['ES256'], audience })
  const body = Body.parse(await c.req.json())
  const result = { clientId: payload.iss, tenantId: c.req.param('tenantId'), fields: Object.keys(body).length }
  if (!sameCrypto) return c.json(result)
  const answer = JSON.stringify(result)
  const digest = `SHA-256=${createHash('sha256').update(answer).digest('base64')}`
  const signature = await new SignJWT({ signed_headers: [{ digest }] }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().sign(answerKey)
  return c.body(answer, 200, { 'content-type': 'application/json', digest, 'agid-jwt-signature': signature })
})

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })))
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.stdin.on('end', stop) // the orchestrator died: do not linger
process.stdin.resume()
