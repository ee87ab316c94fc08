import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkDigit, isValidNoticeNumber, iuvFor } from './notice-number.ts'

// Worked by hand (Python int arithmetic) from FACTS §6's rule: (3 · segregation · base) mod 93.
const known: [string, number, string][] = [
  ['01', 1, '301000000000000144'],
  ['02', 1234567890123, '302123456789012356'],
  ['47', 9999999999999, '347999999999999962'],
]

/** Long division by 93 on the decimal string: an oracle that shares no code with checkDigit. */
function mod93(digits: string): number {
  let rest = 0
  for (const d of digits) rest = (rest * 10 + Number(d)) % 93
  return rest
}

describe('notice numbers', () => {
  it.each(known)('segregation %s, sequence %d → %s', (segregation, sequence, notice) => {
    expect(iuvFor(segregation, sequence)).toEqual({ iuv: notice.slice(1), noticeNumber: notice })
    expect(isValidNoticeNumber(notice)).toBe(true)
  })

  it('every notice number is 3 + IUV, 18 digits, with the mod-93 check digit of its first 16', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 9_999_999_999_999 }), (seg, sequence) => {
        const segregation = String(seg).padStart(2, '0')
        const { iuv, noticeNumber } = iuvFor(segregation, sequence)
        expect(noticeNumber).toMatch(/^3\d{17}$/)
        expect(noticeNumber).toBe(`3${iuv}`)
        expect(iuv.slice(0, 2)).toBe(segregation)
        expect(Number(noticeNumber.slice(16))).toBe(mod93(noticeNumber.slice(0, 16)))
        expect(isValidNoticeNumber(noticeNumber)).toBe(true)
      }),
    )
  })

  it('distinct sequences give distinct notice numbers; any one changed digit is caught', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999_999_998 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 9 }), (sequence, at, shift) => {
        const { noticeNumber } = iuvFor('01', sequence)
        expect(iuvFor('01', sequence + 1).noticeNumber).not.toBe(noticeNumber)
        const altered = `${noticeNumber.slice(0, at)}${(Number(noticeNumber[at]) + shift) % 10}${noticeNumber.slice(at + 1)}`
        // The change is k · 10^n with 0 < |k| < 10: never a multiple of 93 (= 3 · 31).
        expect(isValidNoticeNumber(altered)).toBe(false)
      }),
    )
  })

  it('refuses what cannot be a notice number', () => {
    expect(() => iuvFor('1', 1)).toThrow(RangeError)
    expect(() => iuvFor('01', 0)).toThrow(RangeError)
    expect(() => iuvFor('01', 10 ** 13)).toThrow(RangeError)
    expect(checkDigit('3010000000000001')).toBe('44')
    for (const bad of ['30100000000000014', '201000000000000144', '301000000000000145', '30100000000000014x']) expect(isValidNoticeNumber(bad)).toBe(false)
  })
})
