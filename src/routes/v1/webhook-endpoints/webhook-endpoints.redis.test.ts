// Webhook endpoints through the whole app (live mode: https only, SSRF guard), every answer checked
// against the contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConforms, expectProblem } from '../../../../test/support/contract.ts'
import { signedInit } from '../../../../test/support/signed.ts'
import { createTestApp, type TestApp, type TestClient } from '../../../../test/support/test-app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ bodyBytes: 1_048_576 })
})
afterAll(() => t.close())

const base = '/v1/tenants/comune-a/webhook-endpoints'
const item = `${base}/{endpointId}`
const templates: Record<string, string> = { [base]: '/v1/tenants/{tenantId}/webhook-endpoints' }

async function call(method: string, path: string, template: string, body?: object | string, client: TestClient = t.clients.portal) {
  const res = await t.app.request(path, await signedInit(client, { method, body }))
  await expectConforms(res, method, templates[template] ?? template.replace('/v1/tenants/comune-a', '/v1/tenants/{tenantId}'))
  return res
}

// Resolves to a public address without any network: a literal documentation-range IP is refused
// by nothing but its scheme, so https literals stand in for real public hosts.
const publicUrl = 'https://93.184.215.14/hooks'

describe('register, read, change, delete', () => {
  it('shows the secret once, never again, and lists the endpoint', async () => {
    const created = await call('POST', base, base, { url: publicUrl, events: ['payment.paid', 'payment.paid', 'delivery.dead'], description: 'ERP' })
    expect(created.status).toBe(201)
    const endpoint = await created.json()
    expect(endpoint).toMatchObject({
      url: publicUrl,
      events: ['payment.paid', 'delivery.dead'],
      enabled: true,
      tenantId: 'comune-a',
      secret: expect.stringMatching(/^whsec_/),
    })
    expect(created.headers.get('location')).toBe(`${base}/${endpoint.id}`)

    const listed = await (await call('GET', base, base)).json()
    expect(listed.items.map((e: { id: string }) => e.id)).toContain(endpoint.id)
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret)
    const one = await (await call('GET', `${base}/${endpoint.id}`, item)).json()
    expect(one).not.toHaveProperty('secret')
    expect(one.signingSecrets).toHaveLength(1)
  })

  it('disables, re-enables, changes events, and deletes', async () => {
    const { id } = await (await call('POST', base, base, { url: publicUrl, events: ['*'] })).json()
    const disabled = await (await call('PATCH', `${base}/${id}`, item, { enabled: false })).json()
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'disabled by the portal' })
    const enabled = await (await call('PATCH', `${base}/${id}`, item, { enabled: true, events: ['message.sent'] })).json()
    expect(enabled).toMatchObject({ enabled: true, events: ['message.sent'] })
    expect(enabled).not.toHaveProperty('disabledReason')
    expect((await call('DELETE', `${base}/${id}`, item)).status).toBe(204)
    await expectProblem(await call('GET', `${base}/${id}`, item), 404, 'not_found')
  })

  it('rotates the secret: the new one is shown, the old one keeps signing until its overlap ends', async () => {
    const { id, secret } = await (await call('POST', base, base, { url: publicUrl, events: ['*'] })).json()
    const rotated = await (await call('POST', `${base}/${id}/rotate-secret`, `${item}/rotate-secret`, { overlapSeconds: 600 })).json()
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(secret)
    expect(rotated.signingSecrets).toEqual([{ createdAt: expect.any(String) }, { createdAt: expect.any(String), expiresAt: expect.any(String) }])
    const immediate = await (await call('POST', `${base}/${id}/rotate-secret`, `${item}/rotate-secret`, { overlapSeconds: 0 })).json()
    expect(immediate.signingSecrets).toHaveLength(2) // the first rotation's secret, still inside its 600 s
  })

  it('audits every change with the payload digest', async () => {
    await call('POST', base, base, { url: publicUrl, events: ['*'], description: 'audited' })
    const last = (await t.deps.audit.read()).at(-1)?.record
    expect(last).toMatchObject({
      who: 'portal',
      tenant: 'comune-a',
      action: 'webhook-endpoint.create',
      outcome: 'ok',
      payloadDigest: expect.stringMatching(/^SHA-256=/),
    })
  })
})

describe('bad input: a clear 4xx, nothing stored', () => {
  const refusedUrls: [string, RegExp][] = [
    ['not a url', /not a URL/],
    ['http://93.184.215.14/hooks', /https/],
    ['https://127.0.0.1/hooks', /private, loopback or link-local/],
    ['https://10.1.2.3/hooks', /private/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[::1]/hooks', /private/],
    ['https://[::ffff:192.168.1.1]/hooks', /private/],
    ['https://localhost/hooks', /private/],
    ['https://user:pass@93.184.215.14/hooks', /credentials/],
    ['ftp://93.184.215.14/hooks', /https/],
  ]
  it.each(refusedUrls)('url %s → 400 validation_failed on url', async (url, reason) => {
    const before = (await t.deps.endpoints.list('comune-a')).length
    const problem = await expectProblem(await call('POST', base, base, { url, events: ['*'] }), 400, 'validation_failed')
    expect(problem.errors).toEqual([{ path: 'url', message: expect.stringMatching(reason) }])
    expect(await t.deps.endpoints.list('comune-a')).toHaveLength(before)
  })

  it('unknown event names, no events, long descriptions, unknown fields → 400 with the field', async () => {
    for (const [body, path] of [
      [{ url: publicUrl, events: ['payment.stolen'] }, 'events.0'],
      [{ url: publicUrl, events: [] }, 'events'],
      [{ url: publicUrl, events: ['*'], description: 'x'.repeat(501) }, 'description'],
      [{ url: publicUrl, events: ['*'], secret: 'mine' }, '(body)'],
    ] as const) {
      const problem = await expectProblem(await call('POST', base, base, body), 400, 'validation_failed')
      expect(problem.errors?.map((e) => e.path)).toContain(path)
    }
    await expectProblem(await call('PATCH', `${base}/we_missing`, item, {}), 400, 'validation_failed')
  })

  it('a 10 MB description → 413 before it is read whole', async () => {
    await expectProblem(
      await call('POST', base, base, JSON.stringify({ url: publicUrl, events: ['*'], description: 'x'.repeat(10_000_000) })),
      413,
      'payload_too_large',
    )
  })

  it('another tenant: 403 on its path, 404 for its endpoint ids under ours', async () => {
    const theirs = await call('POST', '/v1/tenants/comune-b/webhook-endpoints', base, { url: publicUrl, events: ['*'] }, t.clients.other)
    const { id } = await theirs.json()
    await expectProblem(await call('POST', '/v1/tenants/comune-b/webhook-endpoints', base, { url: publicUrl, events: ['*'] }), 403, 'tenant_forbidden')
    await expectProblem(await call('GET', `${base}/${id}`, item), 404, 'not_found')
    await expectProblem(await call('DELETE', `${base}/${id}`, item), 404, 'not_found')
    expect(await t.deps.endpoints.get('comune-b', id)).toBeDefined()
  })

  it('a client without webhooks:write → 403 scope_missing', async () => {
    await expectProblem(await call('POST', base, base, { url: publicUrl, events: ['*'] }, t.clients.reader), 403, 'scope_missing')
  })
})
