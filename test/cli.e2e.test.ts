// The bundled CLI (the built dist/, as `npx snodo` runs it) against a running sandbox.
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createLocalJWKSet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyResponse } from '../src/client/index.ts'
import { aClientKey } from './support/test-app.ts'
import { repoRoot, type SnodoProcess, startSnodo } from './support/snodo-process.ts'

const run = promisify(execFile)
const cli = join(repoRoot, 'dist/ops/cli/main.js')
let snodo: SnodoProcess
let home: string

beforeAll(async () => {
  snodo = await startSnodo()
  home = snodo.home
})
afterAll(() => snodo.stop())

async function snodoCli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, SNODO_HOME: home } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('snodo call', () => {
  it('GET signs with demo-client.json, prints the answer and that its signature verified', async () => {
    const { code, stdout, stderr } = await snodoCli('call', 'GET', '/v1/tenants/comune-demo')
    expect(code).toBe(0)
    expect(stdout).toContain('HTTP 200')
    expect(stdout).toContain('"id": "comune-demo"')
    expect(stderr).toMatch(/✔ response signature verified \(kid [\w-]+\)/)
  })

  it('POST --data @file with an idempotency key replays; another body under the same key is refused', async () => {
    const body = join(home, 'body.json')
    writeFileSync(body, JSON.stringify({ pratica: 'SUAP-1' }))
    const first = await snodoCli('call', 'POST', '/v1/tenants/comune-demo/echo', '--data', `@${body}`, '--idempotency-key', 'cli-k1')
    const second = await snodoCli('call', 'POST', '/v1/tenants/comune-demo/echo', '--data', `@${body}`, '--idempotency-key', 'cli-k1')
    expect(first.code).toBe(0)
    expect(second.stdout).toContain('HTTP 200 (idempotent replay)')
    const other = await snodoCli('call', 'POST', '/v1/tenants/comune-demo/echo', '--data', '{"pratica":"SUAP-2"}', '--idempotency-key', 'cli-k1')
    expect(other.code).toBe(1)
    expect(other.stdout).toContain('idempotency_key_reused')
  })

  it('a client file whose key Snodo does not know → exit 1 with the reason', async () => {
    const demo = JSON.parse(readFileSync(join(home, 'sandbox', 'demo-client.json'), 'utf8'))
    const stranger = join(home, 'stranger.json')
    writeFileSync(stranger, JSON.stringify({ ...demo, privateJwk: (await aClientKey('demo-portal')).privateJwk }))
    const { code, stdout } = await snodoCli('call', 'GET', '/v1/tenants/comune-demo', '--client', stranger)
    expect(code).toBe(1)
    expect(stdout).toContain('token_key_unknown')
  })

  it('an answer altered on the way → exit 3 and says the signature did not verify', async () => {
    const proxy = await alteringProxy(snodo.baseUrl)
    try {
      const demo = JSON.parse(readFileSync(join(home, 'sandbox', 'demo-client.json'), 'utf8'))
      const viaProxy = join(home, 'via-proxy.json')
      writeFileSync(viaProxy, JSON.stringify({ ...demo, baseUrl: proxy.url }))
      const { code, stderr } = await snodoCli('call', 'GET', '/v1/tenants/comune-demo', '--client', viaProxy)
      expect(code).toBe(3)
      expect(stderr).toContain('✘ response signature did NOT verify: the response Digest does not match its body')
    } finally {
      proxy.server.close()
    }
  })

  it('a missing client file or a body that is not JSON → a sentence, not a stack trace', async () => {
    const missing = await snodoCli('call', 'GET', '/v1/tenants/comune-demo', '--client', '/nowhere.json')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe('snodo: no client file at /nowhere.json: start the sandbox (npm start) or pass --client <file>\n')
    const notJson = await snodoCli('call', 'POST', '/v1/tenants/comune-demo/echo', '--data', 'ciao')
    expect(notJson.stderr).toBe('snodo: --data is not JSON: ciao\n')
  })
})

describe('snodo keys rotate', () => {
  it('adds a key that signs from then on, while answers signed with the old one still verify', async () => {
    const before = await fetch(`${snodo.baseUrl}/v1/tenants/comune-demo`)
    const beforeBody = new Uint8Array(await before.arrayBuffer())
    const rotated = await snodoCli('keys', 'rotate', '--dir', join(home, 'sandbox', 'keys'))
    const newKid = /new signing key ([\w-]+)/.exec(rotated.stdout)?.[1]
    expect(newKid).toBeDefined()
    snodo.child.kill('SIGHUP')
    let jwks = { keys: [] as { kid: string }[] }
    for (let i = 0; i < 100 && jwks.keys.length < 2; i++) {
      jwks = await (await fetch(`${snodo.baseUrl}/.well-known/jwks.json`)).json()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(jwks.keys.map((k) => k.kid)).toContain(newKid)

    const keys = createLocalJWKSet(jwks)
    const expected = { issuer: snodo.baseUrl, clientId: 'demo-portal', keys }
    expect(await verifyResponse(before.headers, beforeBody, expected)).toMatchObject({ verified: true })
    const after = await fetch(`${snodo.baseUrl}/v1/tenants/comune-demo`)
    expect(await verifyResponse(after.headers, new Uint8Array(await after.arrayBuffer()), expected)).toEqual({ verified: true, kid: newKid })
    const listed = await snodoCli('keys', 'list', '--dir', join(home, 'sandbox', 'keys'))
    expect(listed.stdout.trim().split('\n')).toHaveLength(2)
    expect(listed.stdout).toContain(`${newKid}`)
  })
})

/** Forwards to Snodo and changes one byte of every JSON answer, leaving the headers as they were. */
async function alteringProxy(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = []
      answer.on('data', (c: Buffer) => chunks.push(c))
      answer.on('end', () => {
        let body = Buffer.concat(chunks).toString()
        if (req.url?.startsWith('/v1/')) body = body.replace('Comune di Demo', 'Comune di Dema')
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': Buffer.byteLength(body) })
        res.end(body)
      })
    })
    req.pipe(upstream)
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}
