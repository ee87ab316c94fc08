import { describe, expect, it } from 'vitest'
import { type CallContext, classify as classifySoap, InBandError, mask } from '../soap-profile/errors.ts'
import { TransportFailure } from '../soap-profile/transport.ts'
import { protocolloErrors } from './errors.ts'
import { ProtocolProfile, type ProtocolProfileInput } from './profile.ts'

const base: ProtocolProfileInput = {
  name: 'vendor-x',
  services: { ws: { wsdl: '/x.wsdl' } },
  auth: { type: 'none' },
  steps: [{ name: 'registra', service: 'ws', operation: 'Registra', commit: true }],
  result: { number: '1', year: '2026', date: '2026-01-01' },
  errors: { codes: { '108': 'rejected', '99': 'unavailable' }, faults: [{ match: 'sessione scaduta', kind: 'unauthorized' }] },
}
const profile = (extra: Partial<ProtocolProfileInput> = {}) => ProtocolProfile.parse({ ...base, ...extra })
const commit = { name: 'registra', operation: 'Registra', commit: true }
const upload = { name: 'carica', operation: 'Carica', commit: false }
/** The shared classifier as the protocollo client's runner calls it. */
const classify = (error: unknown, ctx: Omit<CallContext, 'errors'>) => classifySoap(error, { ...ctx, errors: protocolloErrors })
const fault = (faultstring: string) =>
  Object.assign(new Error('fault'), { root: { Envelope: { Body: { Fault: { faultcode: 'soap:Server', faultstring } } } }, response: { status: 500 } })

describe('classifying a failed protocollo call', () => {
  it('maps in-band codes by the profile, and unknown ones to its default', () => {
    expect(classify(new InBandError('108', 'mittente'), { profile: profile(), step: upload, hide: [] })).toMatchObject({
      kind: 'rejected',
      upstreamCode: '108',
    })
    expect(classify(new InBandError('99', 'db occupato'), { profile: profile(), step: upload, hide: [] })).toMatchObject({
      kind: 'unavailable',
      retryable: true,
    })
    expect(classify(new InBandError('5', '?'), { profile: profile(), step: upload, hide: [] })).toMatchObject({ kind: 'rejected' })
  })

  it('maps SOAP faults by the profile’s rules, rejected otherwise', () => {
    expect(classify(fault('Sessione scaduta'), { profile: profile(), step: commit, hide: [] })).toMatchObject({ kind: 'unauthorized', upstreamStatus: 500 })
    expect(classify(fault('registro chiuso'), { profile: profile(), step: commit, hide: [] })).toMatchObject({ kind: 'rejected', upstreamCode: 'soap:Server' })
  })

  it('keeps a timeout before the registering call retryable', () => {
    expect(classify(new TransportFailure('timeout', true, 'no answer'), { profile: profile(), step: upload, hide: [] })).toMatchObject({
      kind: 'timeout',
      retryable: true,
    })
  })

  it('sends an unknown outcome of the registering call to dead when the profile cannot search (the safe default)', () => {
    const error = classify(new TransportFailure('timeout', true, 'no answer'), { profile: profile(), step: commit, correlationKey: 'p-1', hide: [] })
    expect(error).toMatchObject({ kind: 'protocol', retryable: false, upstreamCode: 'outcome_unknown' })
    expect(error.message).toContain('p-1')
    expect(error.message).toContain('check the register before replaying')
  })

  it('retries it when the profile searches first, or when the operator chose retry', () => {
    const search = { steps: [{ name: 'cerca', service: 'ws', operation: 'Cerca' }], registration: { number: '', year: '', date: '' } }
    expect(classify(new TransportFailure('timeout', true, 'x'), { profile: profile({ search }), step: commit, hide: [] })).toMatchObject({
      kind: 'timeout',
      retryable: true,
    })
    expect(
      classify(new TransportFailure('unavailable', true, 'x'), { profile: profile({ onUncertainCommit: 'retry' }), step: commit, hide: [] }),
    ).toMatchObject({ kind: 'unavailable', retryable: true })
  })

  it('retries a registering call that never left, whatever the profile', () => {
    expect(classify(new TransportFailure('unavailable', false, 'refused'), { profile: profile(), step: commit, hide: [] })).toMatchObject({
      kind: 'unavailable',
      retryable: true,
    })
    // Still queued for a connection when its deadline passed: a timeout, but nothing reached the vendor.
    const queued = classify(new TransportFailure('timeout', false, 'never left'), { profile: profile(), step: commit, correlationKey: 'p-2', hide: [] })
    expect(queued).toMatchObject({ kind: 'timeout', retryable: true })
    expect(queued.upstreamCode).toBeUndefined()
  })

  it('never lets a secret or a fiscal code into a message', () => {
    const error = classify(new InBandError('3', 'utente snodo password Segreta!1 per RSSMRA80A01H501U'), {
      profile: profile(),
      step: upload,
      hide: ['Segreta!1'],
    })
    expect(error.message).not.toMatch(/Segreta!1|RSSMRA80A01H501U/)
    expect(mask('cf rssmra80a01h501u')).toBe('cf ***')
  })
})
