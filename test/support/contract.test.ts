import { expect, it } from 'vitest'
import { expectConforms, expectProblem } from './contract.ts'

const json = (body: unknown, status = 200, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } })

it('fails an answer that the contract does not describe', async () => {
  await expect(expectConforms(json({ id: 'x' }), 'GET', '/v1/tenants/{tenantId}')).rejects.toThrow()
  await expect(expectConforms(json({}, 418), 'GET', '/v1/tenants/{tenantId}')).rejects.toThrow(/418 is not documented/)
  await expect(expectConforms(json({}, 401, 'application/json'), 'GET', '/v1/tenants/{tenantId}')).rejects.toThrow(/not declared/)
  await expect(expectConforms(json({}), 'GET', '/v1/nowhere')).rejects.toThrow(/not in the contract/)
})

it('passes a documented problem', async () => {
  const problem = { type: 'urn:snodo:problem:not_found', title: 'Not found', status: 404, detail: 'x', code: 'not_found', requestId: 'r' }
  await expectConforms(json(problem, 404, 'application/problem+json'), 'GET', '/v1/tenants/{tenantId}')
})

it('expectProblem checks status, media type, shape and code', async () => {
  const problem = { type: 'urn:snodo:problem:not_found', title: 'Not found', status: 404, detail: 'x', code: 'not_found', requestId: 'r' }
  expect(await expectProblem(json(problem, 404, 'application/problem+json'), 404, 'not_found')).toEqual(problem)
  await expect(expectProblem(json(problem, 404, 'application/json'), 404, 'not_found')).rejects.toThrow()
  await expect(expectProblem(json({ ...problem, code: 'no_such_code' }, 404, 'application/problem+json'), 404, 'no_such_code')).rejects.toThrow()
  await expect(expectProblem(json(problem, 404, 'application/problem+json'), 404, 'tenant_not_found')).rejects.toThrow()
})
