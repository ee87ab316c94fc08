// SSRF guard for webhook URLs (live mode): https only, no credentials in the URL, and a host that
// resolves only to globally reachable unicast addresses (special-addresses.ts), unless the operator
// allow-listed it. The same check runs at connect time (`lookup`), so a DNS answer that changes
// after registration cannot reach inside.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'
import { embeddedIpv4, notGlobal } from './special-addresses.ts'

export type UrlGuard = {
  /** Why this URL may not be a webhook target, or undefined when it may. */
  refusal(url: string): Promise<string | undefined>
  /** A dns.lookup for undici's connect options that refuses forbidden addresses. */
  lookup: typeof dnsLookup
  /**
   * Why a URL whose host is an IP literal may not be reached now (undefined: it may, or the host is a
   * name, which `lookup` checks). Node connects to an IP literal without calling `lookup`, so the
   * sender must ask this before each request, or http://127.0.0.1/ or a metadata address get through.
   */
  literalRefusal(url: string): string | undefined
}

/** The operator's exceptions (webhooks.allowedPrivate): host names, addresses and CIDR ranges. */
function allowList(entries: string[]) {
  const hosts = new Set<string>()
  const nets: [ipaddr.IPv4 | ipaddr.IPv6, number][] = []
  for (const entry of entries) {
    if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry)
      nets.push([address, address.kind() === 'ipv4' ? 32 : 128])
    } else if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`webhooks.allowedPrivate: ${entry} is neither a host name nor a CIDR range`)
      nets.push(ipaddr.parseCIDR(entry))
    } else hosts.add(entry.toLowerCase())
  }
  const inNets = (address: ipaddr.IPv4 | ipaddr.IPv6) => nets.some((net) => net[0].kind() === address.kind() && address.match(net))
  return {
    host: (hostname: string) => hosts.has(hostname.toLowerCase()),
    // An allowed IPv4 address is allowed however IPv6 spells it (::ffff:10.0.0.5, NAT64…).
    address(text: string) {
      if (!ipaddr.isValid(text)) return false
      const address = ipaddr.parse(text)
      return inNets(address) || embeddedIpv4(address).some(inNets)
    },
  }
}

const notReachable =
  ': a private, loopback or link-local address or another special-purpose one, not globally reachable (allow-list it in webhooks.allowedPrivate if intended)'

/** `lookup` is the system resolver unless a test gives its own DNS. */
export function createUrlGuard(options: { mode: 'live' | 'sandbox'; allowedPrivate: string[]; lookup?: typeof dnsLookup }): UrlGuard {
  const resolver = options.lookup ?? dnsLookup
  const allowed = allowList(options.allowedPrivate)
  /** Why the host may not be reached at `address`, or undefined when it may. */
  const forbidden = (address: string, hostname: string) => {
    if (options.mode === 'sandbox' || allowed.host(hostname) || allowed.address(address)) return undefined
    return notGlobal(address)
  }
  // literalRefusal runs before every send, its answer depends on the URL alone: remembered (bounded).
  const literalAnswers = new Map<string, string | undefined>()
  const maxLiteralAnswers = 10_000
  const resolveAll = (hostname: string) =>
    new Promise<LookupAddress[]>((resolve, reject) => resolver(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))))

  return {
    async refusal(raw) {
      let url: URL
      try {
        url = new URL(raw)
      } catch {
        return 'is not a URL'
      }
      if (options.mode === 'live' && url.protocol !== 'https:') return 'must be https'
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http(s)'
      if (url.username || url.password) return 'must not carry credentials'
      const hostname = url.hostname.replace(/^\[|\]$/g, '')
      let addresses: LookupAddress[]
      try {
        addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await resolveAll(hostname)
      } catch {
        return `host ${hostname} does not resolve`
      }
      // Every address the name has: a connection may be made to any of them.
      for (const { address } of addresses) {
        const why = forbidden(address, hostname)
        if (why) return `resolves to ${why}${notReachable}`
      }
      return undefined
    },
    literalRefusal(raw) {
      if (literalAnswers.has(raw)) return literalAnswers.get(raw)
      const hostname = new URL(raw).hostname.replace(/^\[|\]$/g, '')
      const why = isIP(hostname) ? forbidden(hostname, hostname) : undefined
      const answer = why ? `${why}${notReachable}` : undefined
      if (literalAnswers.size >= maxLiteralAnswers) literalAnswers.clear()
      literalAnswers.set(raw, answer)
      return answer
    },
    lookup: ((
      hostname: string,
      opts: LookupOptions,
      callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      resolver(hostname, { ...opts, all: true }, (err, addresses) => {
        if (err) return callback(err, [])
        const allowedAddresses = addresses.filter((a) => !forbidden(a.address, hostname))
        if (allowedAddresses.length === 0)
          return callback(Object.assign(new Error(`webhook host ${hostname} resolves only to forbidden addresses`), { code: 'SNODO_ADDRESS_FORBIDDEN' }), [])
        if (opts.all) return callback(null, allowedAddresses)
        const first = allowedAddresses[0] as LookupAddress
        callback(null, first.address, first.family)
      })
    }) as typeof dnsLookup,
  }
}
