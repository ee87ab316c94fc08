// The live-mode SSRF guard against every IANA special-purpose range (IPv4 and IPv6), IPv4 carried
// inside IPv6 (mapped, compatible, NAT64, 6to4, Teredo), DNS answers, and the operator's exceptions.
import type { lookup as dnsLookup, LookupAddress } from 'node:dns'
import { isIP } from 'node:net'
import { describe, expect, it } from 'vitest'
import { allowedAddresses, refusedAddresses } from '../../test/support/special-addresses.ts'
import { createUrlGuard } from './url-guard.ts'

const bracketed = (address: string) => (isIP(address) === 6 ? `[${address}]` : address)

/** A DNS that answers the names it is given, and ENOTFOUND for any other. */
function fakeDns(names: Record<string, string[]>) {
  const calls: string[] = []
  const lookup = ((hostname: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    calls.push(hostname)
    const answer = names[hostname]
    if (!answer) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), [])
    callback(
      null,
      answer.map((address) => ({ address, family: isIP(address) })),
    )
  }) as unknown as typeof dnsLookup
  return { lookup, calls }
}

const lookupWith = (guard: ReturnType<typeof createUrlGuard>, hostname: string, all: boolean) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
    guard.lookup(hostname, { all }, (err, address) => resolve({ err, address })),
  )

describe('live mode refuses every special-purpose address', () => {
  const names = Object.fromEntries(refusedAddresses.map(([address], i) => [`a-${i}.test`, [address]]))
  const guard = createUrlGuard({ mode: 'live', allowedPrivate: [], lookup: fakeDns(names).lookup })

  it.each(refusedAddresses)('%s (%s): as an IP literal, at registration and before each send', async (address) => {
    const url = `https://${bracketed(address)}/hooks`
    const canonical = new URL(url).hostname.replace(/^\[|\]$/g, '')
    expect(guard.literalRefusal(url)).toMatch(new RegExp(`^${canonical.replace(/\./g, '\\.')} \\(.*not globally reachable`))
    expect(await guard.refusal(url)).toMatch(/^resolves to .*not globally reachable/)
  })

  it.each(refusedAddresses.map(([address], i) => [address, `a-${i}.test`]))(
    '%s as the DNS answer for a name: refused at registration and at connect time',
    async (address, name) => {
      expect(await guard.refusal(`https://${name}/hooks`)).toContain(`resolves to ${address} (`)
      for (const all of [false, true]) {
        const { err } = await lookupWith(guard, name, all)
        expect(err).toMatchObject({ code: 'SNODO_ADDRESS_FORBIDDEN' })
      }
    },
  )

  it('names the range, and the IPv4 an IPv6 address carries', () => {
    expect(guard.literalRefusal('https://[64:ff9b::7f00:1]/')).toMatch(
      /^64:ff9b::7f00:1 \(64:ff9b::\/96, NAT64 well-known prefix\) carrying 127\.0\.0\.1 \(127\.0\.0\.0\/8, loopback\)/,
    )
    expect(guard.literalRefusal('https://100.64.0.1/')).toMatch(/^100\.64\.0\.1 \(100\.64\.0\.0\/10, shared address space \(CGNAT\)\)/)
    expect(guard.literalRefusal('https://[2002:c0a8:101::1]/')).toMatch(/carrying 192\.168\.1\.1 \(192\.168\.0\.0\/16, private-use\)/)
  })

  it('IPv4 written the unusual ways a URL allows is judged as the address it is', async () => {
    for (const url of [
      'https://2130706433/',
      'https://0x7f.1/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://[::ffff:127.0.0.1]/',
      'https://[0:0:0:0:0:ffff:7f00:0001]/',
    ]) {
      expect(guard.literalRefusal(url), url).toMatch(/127\.0\.0\.1 \(127\.0\.0\.0\/8, loopback\)|::ffff:7f00:1 .*carrying 127\.0\.0\.1/)
    }
  })
})

describe('live mode lets globally reachable unicast through', () => {
  const names = Object.fromEntries(allowedAddresses.map((address, i) => [`ok-${i}.test`, [address]]))
  const guard = createUrlGuard({
    mode: 'live',
    allowedPrivate: [],
    lookup: fakeDns({ ...names, 'mixed.test': ['93.184.215.14', '10.0.0.1', '2606:4700:4700::1111', 'fe80::1'] }).lookup,
  })

  it.each(allowedAddresses.map((address, i) => [address, `ok-${i}.test`]))('%s, as a literal and as a name', async (address, name) => {
    expect(guard.literalRefusal(`https://${bracketed(address)}/hooks`)).toBeUndefined()
    expect(await guard.refusal(`https://${bracketed(address)}/hooks`)).toBeUndefined()
    expect(await guard.refusal(`https://${name}/hooks`)).toBeUndefined()
    expect((await lookupWith(guard, name, false)).address).toBe(address)
  })

  it('a name with one special address among public ones: refused at registration, only the public ones connected to', async () => {
    expect(await guard.refusal('https://mixed.test/')).toMatch(/^resolves to 10\.0\.0\.1 \(10\.0\.0\.0\/8, private-use\)/)
    const { err, address } = await lookupWith(guard, 'mixed.test', true)
    expect(err).toBeNull()
    expect(address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ])
  })

  it('still https only, without credentials, and names that resolve', async () => {
    expect(await guard.refusal('http://8.8.8.8/')).toBe('must be https')
    expect(await guard.refusal('https://u:p@8.8.8.8/')).toBe('must not carry credentials')
    expect(await guard.refusal('https://nowhere.test/')).toBe('host nowhere.test does not resolve')
  })
})

describe('webhooks.allowedPrivate', () => {
  const allowedPrivate = ['10.0.0.0/8', '127.0.0.1', 'fd00::/8', 'Intranet.Comune.test']
  const dns = fakeDns({ 'intranet.comune.test': ['192.168.1.1'], 'ten.test': ['10.9.8.7'], 'other.test': ['192.168.1.1'] })
  const guard = createUrlGuard({ mode: 'live', allowedPrivate, lookup: dns.lookup })

  it.each(['10.1.2.3', '::ffff:10.1.2.3', '64:ff9b::a01:203', '2002:a01:203::1', '127.0.0.1', 'fd00::1', 'fdff:1::2'])(
    'an address it lists or holds passes, however IPv6 carries it: %s',
    async (address) => {
      expect(guard.literalRefusal(`https://${bracketed(address)}/`)).toBeUndefined()
      expect(await guard.refusal(`https://${bracketed(address)}/`)).toBeUndefined()
    },
  )

  it.each(['127.0.0.2', '172.16.0.1', '192.168.1.1', 'fc00::1', '::1'])('an address it does not list is still refused: %s', (address) => {
    expect(guard.literalRefusal(`https://${bracketed(address)}/`)).toMatch(/not globally reachable/)
  })

  it('a listed host name passes whatever it resolves to, matched without case; other names are judged by their addresses', async () => {
    expect(await guard.refusal('https://intranet.comune.test/')).toBeUndefined()
    expect((await lookupWith(guard, 'intranet.comune.test', false)).address).toBe('192.168.1.1')
    expect(await guard.refusal('https://ten.test/')).toBeUndefined()
    expect(await guard.refusal('https://other.test/')).toMatch(/^resolves to 192\.168\.1\.1/)
    expect((await lookupWith(guard, 'other.test', false)).err).toMatchObject({ code: 'SNODO_ADDRESS_FORBIDDEN' })
  })

  it('an entry that is neither a host name nor a CIDR range refuses to start, naming it', () => {
    expect(() => createUrlGuard({ mode: 'live', allowedPrivate: ['10.0.0.0/33'] })).toThrow(
      'webhooks.allowedPrivate: 10.0.0.0/33 is neither a host name nor a CIDR range',
    )
  })
})

it('sandbox mode lets every address through, http included', async () => {
  const guard = createUrlGuard({ mode: 'sandbox', allowedPrivate: [] })
  for (const [address] of refusedAddresses) {
    expect(guard.literalRefusal(`http://${bracketed(address)}/`)).toBeUndefined()
    expect(await guard.refusal(`http://${bracketed(address)}/`)).toBeUndefined()
  }
})
