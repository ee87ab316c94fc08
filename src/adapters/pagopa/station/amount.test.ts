import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatAmount, maxAmountCents, parseAmountCents } from './amount.ts'

describe('nodo amounts (stAmount, decimal euro) ↔ integer cents', () => {
  it.each([
    ['0.10', 10],
    ['0.01', 1],
    ['0.00', 0],
    ['10.50', 1050],
    ['1234567.89', 123456789],
    ['0001.00', 100],
    ['999999999.99', maxAmountCents],
  ])('%s is %i cents', (text, cents) => {
    expect(parseAmountCents(text)).toBe(cents)
  })

  it.each(['', '10', '10.5', '10.505', '1,00', '-1.00', '+1.00', ' 1.00', '1e2.00', '1000000000.00', '99999999999999999999.00', '0x1.00'])(
    'refuses %j',
    (text) => {
      expect(parseAmountCents(text)).toBeUndefined()
    },
  )

  it.each([
    [10, '0.10'],
    [1, '0.01'],
    [123456789, '1234567.89'],
    [100, '1.00'],
    [maxAmountCents, '999999999.99'],
  ])('%i cents is %s', (cents, text) => {
    expect(formatAmount(cents)).toBe(text)
  })

  it('round-trips every amount exactly, where a float would not (0.29 * 100 = 28.999…)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: maxAmountCents }), (cents) => parseAmountCents(formatAmount(cents)) === cents))
    expect(parseAmountCents('0.29')).toBe(29)
  })

  it('refuses to format what is not whole non-negative cents', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => formatAmount(bad)).toThrow(RangeError)
  })
})
