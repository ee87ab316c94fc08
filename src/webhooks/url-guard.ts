// SSRF guard for webhook URLs (live mode): https only, no credentials in the URL, and a host that
// resolves only to public addresses, unless the operator allow-listed it. The same check runs at
// connect time (`lookup`), so a DNS answer that changes after registration cannot reach inside.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { BlockList, isIP } from 'node:net'

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

const privateRanges: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 127, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
]

export function createUrlGuard(options: { mode: 'live' | 'sandbox'; allowedPrivate: string[] }): UrlGuard {
  const blocked = new BlockList()
  for (const [net, prefix, type] of privateRanges) blocked.addSubnet(net, prefix, type)
  const allowed = new BlockList()
  const allowedHosts = new Set<string>()
  for (const entry of options.allowedPrivate) {
    const [net, bits] = entry.split('/')
    const type = isIP(net ?? '')
    if (type === 0) allowedHosts.add(entry.toLowerCase())
    else if (bits === undefined) allowed.addAddress(net as string, type === 4 ? 'ipv4' : 'ipv6')
    else allowed.addSubnet(net as string, Number(bits), type === 4 ? 'ipv4' : 'ipv6')
  }
  const forbidden = (address: string, hostname: string) => {
    if (options.mode === 'sandbox' || allowedHosts.has(hostname.toLowerCase())) return false
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
    const ip = mapped ?? address
    const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6'
    return blocked.check(ip, type) && !allowed.check(ip, type)
  }
  // literalRefusal runs before every send, its answer depends on the URL alone: remembered (bounded).
  const literalAnswers = new Map<string, string | undefined>()
  const maxLiteralAnswers = 10_000
  const resolveAll = (hostname: string) =>
    new Promise<LookupAddress[]>((resolve, reject) => dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))))

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
      const bad = addresses.find((a) => forbidden(a.address, hostname))
      return bad ? `resolves to ${bad.address}, a private, loopback or link-local address (allow-list it in webhooks.allowedPrivate if intended)` : undefined
    },
    literalRefusal(raw) {
      if (literalAnswers.has(raw)) return literalAnswers.get(raw)
      const hostname = new URL(raw).hostname.replace(/^\[|\]$/g, '')
      const answer = isIP(hostname) && forbidden(hostname, hostname) ? `${hostname} is a private, loopback or link-local address (allow-list it in webhooks.allowedPrivate if intended)` : undefined
      if (literalAnswers.size >= maxLiteralAnswers) literalAnswers.clear()
      literalAnswers.set(raw, answer)
      return answer
    },
    lookup: ((hostname: string, opts: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
      dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
        if (err) return callback(err, [])
        const allowedAddresses = addresses.filter((a) => !forbidden(a.address, hostname))
        if (allowedAddresses.length === 0) return callback(Object.assign(new Error(`webhook host ${hostname} resolves only to forbidden addresses`), { code: 'SNODO_ADDRESS_FORBIDDEN' }), [])
        if (opts.all) return callback(null, allowedAddresses)
        const first = allowedAddresses[0] as LookupAddress
        callback(null, first.address, first.family)
      })
    }) as typeof dnsLookup,
  }
}
