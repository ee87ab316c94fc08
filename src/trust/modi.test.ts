import { describe, expect, it } from 'vitest'
import { digestOf, signedHeadersMismatch } from './modi.ts'

describe('digestOf', () => {
  it('is RFC 3230 SHA-256 in base64 over the exact bytes', () => {
    expect(digestOf('')).toBe('SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
    expect(digestOf('{"a":1}')).not.toBe(digestOf('{"a": 1}'))
    expect(digestOf(new TextEncoder().encode('àè'))).toBe(digestOf('àè'))
  })
})

describe('signedHeadersMismatch', () => {
  const actual = { digest: 'SHA-256=x', 'content-type': 'application/json' }
  const required = ['digest', 'content-type']

  it('accepts single-key entries equal to what was sent, names case-insensitive', () => {
    expect(signedHeadersMismatch([{ Digest: 'SHA-256=x' }, { 'content-type': 'application/json' }], actual, required)).toBeUndefined()
  })

  it('names what disagrees', () => {
    expect(signedHeadersMismatch('x', actual, required)).toBe('signed_headers is not an array')
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x', 'content-type': 'application/json' }], actual, required)).toBe('each signed_headers entry must be a single-key object')
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x' }], actual, required)).toBe('content-type is not among the signed headers')
    expect(signedHeadersMismatch([{ digest: 'SHA-256=y' }, { 'content-type': 'application/json' }], actual, required)).toBe('signed digest "SHA-256=y" differs from the one sent "SHA-256=x"')
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x' }, { 'content-type': 'application/json' }, { 'x-extra': 'v' }], actual, required)).toBe('signed x-extra "v" differs from the one sent ""')
  })
})
