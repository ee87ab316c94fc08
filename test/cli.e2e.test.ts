// `snodo call` and `snodo keys` (the built CLI, as `npx snodo` runs it) against a running sandbox.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLocalJWKSet, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyResponse } from '../src/client/index.ts'
import { freePort } from '../src/sandbox/private-redis.ts'
import { startAlteringProxy } from './support/altering-proxy.ts'
import { runCli } from './support/cli.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { aClientKey } from './support/test-app.ts'

let snodo: SnodoProcess
let demo: { baseUrl: string; clientId: string; privateJwk: JWK }
// LOG_LEVEL info: the SIGHUP reload announces itself in the log, which is how the test knows it happened.
beforeAll(async () => {
  snodo = await startSnodo({ env: { LOG_LEVEL: 'info' } })
  demo = JSON.parse(readFileSync(join(snodo.home, 'sandbox', 'demo-client.json'), 'utf8'))
})
afterAll(() => snodo.stop())

const snodoCli = (args: string[], stdin?: string) => runCli(args, { env: { SNODO_HOME: snodo.home }, stdin })
const publishedKids = async () => ((await (await fetch(`${snodo.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)

function clientFile(name: string, content: object): string {
  const path = join(snodo.home, name)
  writeFileSync(path, JSON.stringify(content))
  return path
}

/** The status line, then the pretty-printed body. */
function answerOf(stdout: string) {
  const [statusLine, ...rest] = stdout.split('\n')
  return { statusLine, body: JSON.parse(rest.join('\n')) }
}

describe('snodo call', () => {
  it('GET with the default demo-client.json prints the tenant and that the signature verified; exit 0', async () => {
    const { code, stdout, stderr } = await snodoCli(['call', 'GET', '/v1/tenants/comune-demo'])
    expect(code).toBe(0)
    expect(answerOf(stdout)).toMatchObject({ statusLine: 'HTTP 200', body: { id: 'comune-demo', name: 'Comune di Demo (sandbox)' } })
    expect(stderr).toBe(`✔ response signature verified (kid ${(await publishedKids())[0]})\n`)
  })

  it('POST --data @file --idempotency-key twice replays; another body under the same key → exit 1, idempotency_key_reused', async () => {
    const body = join(snodo.home, 'body.json')
    writeFileSync(body, JSON.stringify({ pratica: 'SUAP-1' }))
    const args = ['call', 'POST', '/v1/tenants/comune-demo/echo', '--data', `@${body}`, '--idempotency-key', 'cli-k1']
    const first = await snodoCli(args)
    const second = await snodoCli(args)
    expect(first.code).toBe(0)
    expect(answerOf(first.stdout)).toMatchObject({ statusLine: 'HTTP 200', body: { clientId: 'demo-portal', body: { pratica: 'SUAP-1' } } })
    expect(second.code).toBe(0)
    expect(answerOf(second.stdout)).toEqual({ statusLine: 'HTTP 200 (idempotent replay)', body: answerOf(first.stdout).body })

    const other = await snodoCli(['call', 'POST', '/v1/tenants/comune-demo/echo', '--data', '{"pratica":"SUAP-2"}', '--idempotency-key', 'cli-k1'])
    expect(other.code).toBe(1)
    expect(answerOf(other.stdout)).toMatchObject({ statusLine: 'HTTP 409', body: { code: 'idempotency_key_reused' } })
    expect(other.stderr).toMatch(/^✔ response signature verified \(kid [\w-]+\)\n$/)
  })

  it('--data @- reads the body from standard input', async () => {
    const { code, stdout } = await snodoCli(['call', 'POST', '/v1/tenants/comune-demo/echo', '--data', '@-'], '{"pratica":"from stdin"}')
    expect(code).toBe(0)
    expect(answerOf(stdout).body).toMatchObject({ body: { pratica: 'from stdin' } })
  })

  it('--header is repeatable and each one is sent (here: a request id and a bearer that replaces the signed one)', async () => {
    const { code, stdout } = await snodoCli([
      'call',
      'GET',
      '/v1/tenants/comune-demo',
      '--header',
      'X-Request-Id: cli-trace-1',
      '--header',
      'Authorization: Bearer not-a-jwt',
    ])
    expect(code).toBe(1)
    expect(answerOf(stdout)).toMatchObject({ statusLine: 'HTTP 401', body: { code: 'token_malformed', requestId: 'cli-trace-1' } })
  })

  it('--client with a key Snodo does not know → exit 1, token_key_unknown; with an unknown client id → token_issuer_unknown', async () => {
    const unknownKey = clientFile('unknown-key.json', { ...demo, privateJwk: (await aClientKey('demo-portal')).privateJwk })
    const keyRefused = await snodoCli(['call', 'GET', '/v1/tenants/comune-demo', '--client', unknownKey])
    expect(keyRefused.code).toBe(1)
    expect(answerOf(keyRefused.stdout)).toMatchObject({ statusLine: 'HTTP 401', body: { code: 'token_key_unknown' } })

    const stranger = await aClientKey('stranger-portal')
    const unknownIssuer = clientFile('unknown-issuer.json', { ...demo, clientId: stranger.clientId, privateJwk: stranger.privateJwk })
    const issuerRefused = await snodoCli(['call', 'GET', '/v1/tenants/comune-demo', '--client', unknownIssuer])
    expect(issuerRefused.code).toBe(1)
    expect(answerOf(issuerRefused.stdout)).toMatchObject({ statusLine: 'HTTP 401', body: { code: 'token_issuer_unknown' } })
  })

  it('an answer altered on the way (a proxy that edits the body, headers untouched) → exit 3', async () => {
    const proxy = await startAlteringProxy(snodo.baseUrl, (body) => body.replace('Comune di Demo', 'Comune di Dema'))
    try {
      const viaProxy = clientFile('via-proxy.json', { ...demo, baseUrl: proxy.url })
      const { code, stdout, stderr } = await snodoCli(['call', 'GET', '/v1/tenants/comune-demo', '--client', viaProxy])
      expect(code).toBe(3)
      expect(answerOf(stdout).body).toMatchObject({ name: 'Comune di Dema (sandbox)' })
      expect(stderr).toBe('✘ response signature did NOT verify: the response Digest does not match its body\n')
    } finally {
      await proxy.close()
    }
  })

  it('operator mistakes get one sentence on stderr and exit 2, never a stack trace', async () => {
    const deadPort = await freePort()
    const unreachable = clientFile('unreachable.json', { ...demo, baseUrl: `http://127.0.0.1:${deadPort}` })
    const cases: [string[], string][] = [
      [
        ['call', 'GET', '/v1/tenants/comune-demo', '--client', '/nowhere.json'],
        'snodo: no client file at /nowhere.json: start the sandbox (npm start) or pass --client <file>\n',
      ],
      [['call', 'POST', '/v1/tenants/comune-demo/echo', '--data', 'ciao'], 'snodo: --data is not JSON: ciao\n'],
      [['call', 'POST', '/v1/tenants/comune-demo/echo', '--data', '@/nowhere.json'], 'snodo: --data @/nowhere.json: cannot read it (ENOENT)\n'],
      [['call', 'GET', '/v1/tenants/comune-demo', '--header', 'no colon'], "snodo: --header must look like 'Name: value', got no colon\n"],
      [
        ['call', 'GET', '/v1/tenants/comune-demo', '--client', unreachable],
        `snodo: cannot reach Snodo at http://127.0.0.1:${deadPort}: connect ECONNREFUSED 127.0.0.1:${deadPort}\n`,
      ],
    ]
    for (const [args, message] of cases) {
      expect(await snodoCli(args)).toEqual({ code: 2, stdout: '', stderr: message })
    }
  })
})

describe('snodo keys against the running sandbox', () => {
  it('rotate + SIGHUP: both kids published, new answers signed with the new kid, earlier answers still verify', async () => {
    const [oldKid] = await publishedKids()
    const before = await fetch(`${snodo.baseUrl}/v1/tenants/comune-demo`)
    const beforeBody = new Uint8Array(await before.arrayBuffer())

    // No --dir: the default is <SNODO_HOME>/sandbox/keys, the running sandbox's own keys.
    const rotated = await snodoCli(['keys', 'rotate'])
    expect(rotated.code).toBe(0)
    const newKid = /^new signing key ([\w-]+) in /.exec(rotated.stdout)?.[1]
    expect(newKid).toMatch(/^[\w-]{43}$/)
    snodo.child.kill('SIGHUP')
    await snodo.waitForOutput('SIGHUP: signing keys reloaded')
    expect(await publishedKids()).toEqual([oldKid, newKid])

    const keys = createLocalJWKSet(await (await fetch(`${snodo.baseUrl}/.well-known/jwks.json`)).json())
    const expected = { issuer: snodo.baseUrl, clientId: 'anonymous', keys }
    expect(await verifyResponse(before.headers, beforeBody, expected)).toEqual({ verified: true, kid: oldKid })
    const after = await fetch(`${snodo.baseUrl}/v1/tenants/comune-demo`)
    expect(await verifyResponse(after.headers, new Uint8Array(await after.arrayBuffer()), expected)).toEqual({ verified: true, kid: newKid })

    const listed = await snodoCli(['keys', 'list'])
    expect(listed.stdout).toMatch(new RegExp(`^${oldKid}  \\S+\\n${newKid}  \\S+  \\(current\\)\\n$`))
  })

  it('retire: the current key is refused; an old one leaves the JWKS after SIGHUP', async () => {
    const [oldKid, currentKid] = await publishedKids()
    expect(await snodoCli(['keys', 'retire', String(currentKid)])).toEqual({
      code: 2,
      stdout: '',
      stderr: `snodo: ${currentKid} is the current signing key: rotate first\n`,
    })
    expect(await snodoCli(['keys', 'retire', String(oldKid)])).toEqual({ code: 0, stdout: `retired ${oldKid}\n`, stderr: '' })
    snodo.child.kill('SIGHUP')
    await snodo.waitForOutput('SIGHUP: signing keys reloaded', 2)
    expect(await publishedKids()).toEqual([currentKid])
  })

  it('retire takes a kid starting with "-" (about one thumbprint in 64) as the kid, not as an option', async () => {
    // The kids above are random thumbprints; this one is made to start with "-" so the case is always run.
    const dir = join(snodo.home, 'dash-keys')
    const old = /^new signing key ([\w-]+) in /.exec((await snodoCli(['keys', 'rotate', '--dir', dir])).stdout)?.[1] as string
    const current = /^new signing key ([\w-]+) in /.exec((await snodoCli(['keys', 'rotate', '--dir', dir])).stdout)?.[1] as string
    const dashKid = `-${old.slice(1)}`
    const stored = JSON.parse(readFileSync(join(dir, `${old}.json`), 'utf8'))
    writeFileSync(join(dir, `${dashKid}.json`), JSON.stringify({ ...stored, privateJwk: { ...stored.privateJwk, kid: dashKid } }))
    unlinkSync(join(dir, `${old}.json`))
    expect(await snodoCli(['keys', 'retire', dashKid, '--dir', dir])).toEqual({ code: 0, stdout: `retired ${dashKid}\n`, stderr: '' })
    expect((await snodoCli(['keys', 'list', '--dir', dir])).stdout).toMatch(new RegExp(`^${current}  \\S+  \\(current\\)\n$`))
  })
})
