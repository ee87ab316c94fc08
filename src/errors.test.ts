import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parse } from 'yaml'
import { problemCodes, SnodoError, toProblem, UpstreamError } from './errors.ts'

it('the closed list of problem codes is the one the contract documents', () => {
  const contract = parse(readFileSync(new URL('../openapi/snodo.v1.yaml', import.meta.url), 'utf8'))
  expect(contract.components.schemas.ProblemCode.enum).toEqual(problemCodes)
})

it('a problem carries the code, its status and title, and the request id', () => {
  const problem = toProblem(new SnodoError('scope_missing', 'needs payments:write'), 'req-1')
  expect(problem).toEqual({
    type: 'urn:snodo:problem:scope_missing',
    title: 'Client lacks the required scope',
    status: 403,
    detail: 'needs payments:write',
    code: 'scope_missing',
    requestId: 'req-1',
  })
})

it('upstream errors say whether the queue may retry them', () => {
  const retryable = ['timeout', 'unavailable', 'rate_limited'] as const
  const final = ['rejected', 'unauthorized', 'protocol'] as const
  for (const kind of retryable) expect(new UpstreamError({ kind, platform: 'appio', message: 'x' }).retryable).toBe(true)
  for (const kind of final) expect(new UpstreamError({ kind, platform: 'appio', message: 'x' }).retryable).toBe(false)
})
