import { describe, expect, it } from 'vitest'
import { addressIn, clientAddress, parseRanges } from './client-address.ts'

const proxies = parseRanges(['10.0.0.0/8', '2001:db8::/32'])

describe('clientAddress', () => {
  it('is the socket peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('198.51.100.7', '192.0.2.7', proxies)).toBe('198.51.100.7')
  })
  it('reads an IPv4-mapped IPv6 peer as IPv4, so IPv4 ranges match it', () => {
    expect(clientAddress('::ffff:10.1.2.3', '192.0.2.7', proxies)).toBe('192.0.2.7')
    expect(addressIn('::ffff:192.0.2.7', parseRanges(['192.0.2.0/24']))).toBe(true)
  })
  it('past trusted proxies, the rightmost address that is not one', () => {
    expect(clientAddress('10.0.0.1', '203.0.113.9, 192.0.2.7, 2001:db8::5, 10.9.9.9', proxies)).toBe('192.0.2.7')
  })
  it('an unreadable hop or peer makes the client unknown', () => {
    expect(clientAddress('10.0.0.1', '192.0.2.7, evil', proxies)).toBeUndefined()
    expect(clientAddress(undefined, undefined, proxies)).toBeUndefined()
  })
  it('IPv6 ranges and single addresses match as written', () => {
    expect(addressIn('2001:db8::1', parseRanges(['2001:db8::/32']))).toBe(true)
    expect(addressIn('192.0.2.8', parseRanges(['192.0.2.7']))).toBe(false)
    expect(addressIn('192.0.2.7', parseRanges(['::ffff:192.0.2.0/120']))).toBe(true)
  })
})
