// Who is calling, by address: the socket's peer, or — when that peer is a proxy the operator trusts —
// the address the proxies recorded in X-Forwarded-For. Only trusted proxies are believed: anyone else
// can write any X-Forwarded-For they like.
import ipaddr from 'ipaddr.js'

type Address = ipaddr.IPv4 | ipaddr.IPv6
export type AddressRanges = [Address, number][]

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports) is the IPv4 one. */
function parseAddress(text: string | undefined): Address | undefined {
  const bare = text
    ?.trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
  if (!bare || !ipaddr.isValid(bare)) return undefined
  return ipaddr.process(bare)
}

/** Config ranges (validated by the schema): a bare address is a range of one. */
export function parseRanges(ranges: readonly string[]): AddressRanges {
  return ranges.map((range) => {
    if (ipaddr.isValidCIDR(range)) {
      const [address, bits] = ipaddr.parseCIDR(range)
      // ::ffff:0:0/96-style ranges are written for IPv4 clients: match them as IPv4.
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
        return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96]
      return [address, bits]
    }
    const address = ipaddr.process(range)
    return [address, address.kind() === 'ipv4' ? 32 : 128]
  })
}

export function inRanges(address: Address, ranges: AddressRanges): boolean {
  return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits))
}

/**
 * The client's address, or undefined when it cannot be told (no socket, an unreadable entry). Past a
 * trusted peer, X-Forwarded-For is read from the right: each trusted proxy appended the address it
 * saw, so the first one that is not a trusted proxy is the client.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustedProxies: AddressRanges): string | undefined {
  const socket = parseAddress(peer)
  if (!socket) return undefined
  if (!inRanges(socket, trustedProxies) || !forwardedFor) return socket.toString()
  const hops = forwardedFor.split(',').reverse()
  let last: Address = socket
  for (const hop of hops) {
    const address = parseAddress(hop)
    if (!address) return undefined
    if (!inRanges(address, trustedProxies)) return address.toString()
    last = address
  }
  // Every hop a trusted proxy: the leftmost is as far as the chain goes.
  return last.toString()
}

export function addressIn(address: string | undefined, ranges: AddressRanges): boolean {
  const parsed = parseAddress(address)
  return parsed !== undefined && inRanges(parsed, ranges)
}
