import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { digestOf, digestOfSha256, signedHeadersMismatch } from './modi.ts'

describe('digestOf', () => {
  it('reproduces the ModI INTEGRITY_REST_01 example digest (modi/02_integrity_rest.rst)', () => {
    // The example shows the body {"testo": "Ciao mondo"}, but its Digest is that of the lower-case
    // "ciao mondo": the published value is reproduced byte for byte, and the capitalised one differs.
    expect(digestOf('{"testo": "ciao mondo"}')).toBe('SHA-256=cFfTOCesrWTLVzxn8fmHl4AcrUs40Lv5D275FmAZ96E=')
    expect(digestOf('{"testo": "Ciao mondo"}')).not.toBe('SHA-256=cFfTOCesrWTLVzxn8fmHl4AcrUs40Lv5D275FmAZ96E=')
  })

  it('is RFC 3230 SHA-256 in base64 (not hex) over the exact bytes', () => {
    expect(digestOf('')).toBe('SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
    // RFC 9530 §B.1 example body.
    expect(digestOf('{"hello": "world"}')).toBe('SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=')
    expect(digestOf('{"a":1}')).not.toBe(digestOf('{"a": 1}'))
    expect(digestOf(new TextEncoder().encode('àè'))).toBe(digestOf('àè'))
  })

  it('is the same from a SHA-256 known as hex (a stored document)', () => {
    for (const body of ['', '{"hello": "world"}']) expect(digestOfSha256(createHash('sha256').update(body).digest('hex'))).toBe(digestOf(body))
  })
})

describe('signedHeadersMismatch', () => {
  const actual = { digest: 'SHA-256=x', 'content-type': 'application/json' }
  const required = ['digest', 'content-type']

  it('accepts single-key entries equal to what was sent, in any order, names case-insensitive', () => {
    expect(signedHeadersMismatch([{ Digest: 'SHA-256=x' }, { 'content-type': 'application/json' }], actual, required)).toBeUndefined()
    expect(signedHeadersMismatch([{ 'Content-Type': 'application/json' }, { digest: 'SHA-256=x' }], actual, required)).toBeUndefined()
  })

  it('names what disagrees', () => {
    expect(signedHeadersMismatch('x', actual, required)).toBe('signed_headers is not an array')
    expect(signedHeadersMismatch(undefined, actual, required)).toBe('signed_headers is not an array')
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x', 'content-type': 'application/json' }], actual, required)).toBe(
      'each signed_headers entry must be a single-key object',
    )
    expect(signedHeadersMismatch([null], actual, required)).toBe('each signed_headers entry must be a single-key object')
    expect(signedHeadersMismatch([{ digest: 1 }], actual, required)).toBe('signed header digest is not a string')
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x' }], actual, required)).toBe('content-type is not among the signed headers')
    expect(signedHeadersMismatch([{ 'content-type': 'application/json' }], actual, required)).toBe('digest is not among the signed headers')
    expect(signedHeadersMismatch([{ digest: 'SHA-256=y' }, { 'content-type': 'application/json' }], actual, required)).toBe(
      'signed digest "SHA-256=y" differs from the one sent "SHA-256=x"',
    )
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x' }, { 'content-type': 'text/plain' }], actual, required)).toBe(
      'signed content-type "text/plain" differs from the one sent "application/json"',
    )
  })

  it('a header named twice, in any case, is a mismatch: neither value is taken', () => {
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x' }, { 'content-type': 'application/json' }, { Digest: 'SHA-256=y' }], actual, required)).toBe(
      'signed_headers names digest more than once',
    )
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x' }, { 'content-type': 'application/json' }, { digest: 'SHA-256=x' }], actual, required)).toBe(
      'signed_headers names digest more than once',
    )
  })

  it('a signed header that was not sent is a mismatch too', () => {
    expect(signedHeadersMismatch([{ digest: 'SHA-256=x' }, { 'content-type': 'application/json' }, { 'x-extra': 'v' }], actual, required)).toBe(
      'signed x-extra "v" differs from the one sent ""',
    )
    expect(
      signedHeadersMismatch([{ digest: 'SHA-256=x' }, { 'content-type': 'application/json' }], { digest: 'SHA-256=x', 'content-type': undefined }, required),
    ).toBe('signed content-type "application/json" differs from the one sent ""')
  })
})
