import { describe, expect, it } from 'vitest'
import { classify } from '../soap-profile/errors.ts'
import { TransportFailure } from '../soap-profile/transport.ts'
import { supplierErrors } from './errors.ts'
import { SupplierProfile } from './profile.ts'

const profile = SupplierProfile.parse({
  name: 'supplier-x',
  services: { ws: { wsdl: '/x.wsdl' } },
  auth: { type: 'none' },
  steps: [{ name: 'ricevi', service: 'ws', operation: 'Ricevi', commit: true }],
})

describe('classifying a failed supplier push', () => {
  it('tells the operator to check with the supplier when a push that cannot be asked about has no known outcome', () => {
    const error = classify(new TransportFailure('timeout', true, 'no answer'), {
      profile,
      errors: supplierErrors,
      step: { name: 'ricevi', operation: 'Ricevi', commit: true },
      correlationKey: 'p-1',
      hide: [],
    })
    expect(error).toMatchObject({ kind: 'protocol', retryable: false, upstreamCode: 'outcome_unknown' })
    expect(error.message).toContain('the supplier may have received practice p-1')
    expect(error.message).toContain('check with the supplier before replaying')
  })
})
