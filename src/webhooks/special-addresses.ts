// Which addresses a live-mode webhook may reach: globally reachable unicast only, after the IANA
// IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates) plus what those leave
// to other registries (multicast, deprecated site-local and IPv4-compatible IPv6, IPv6 outside the
// global unicast space 2000::/3). An IPv6 form that carries an IPv4 address (mapped, NAT64, 6to4,
// Teredo) is judged by that IPv4 too: the packet ends up there.
import ipaddr from 'ipaddr.js'

type Address = ipaddr.IPv4 | ipaddr.IPv6
/** true: globally reachable; false: never; 'embedded': judged by the IPv4 address(es) it carries. */
type Reach = boolean | 'embedded'
type Range = { cidr: string; name: string; reach: Reach; net: [Address, number] }

const ranges = (rows: [string, string, Reach][]): Range[] => rows.map(([cidr, name, reach]) => ({ cidr, name, reach, net: ipaddr.parseCIDR(cidr) }))

const ipv4Ranges = ranges([
  ['0.0.0.0/8', '"this network"', false],
  ['0.0.0.0/32', '"this host on this network"', false],
  ['10.0.0.0/8', 'private-use', false],
  ['100.64.0.0/10', 'shared address space (CGNAT)', false],
  ['127.0.0.0/8', 'loopback', false],
  ['169.254.0.0/16', 'link-local', false],
  ['172.16.0.0/12', 'private-use', false],
  ['192.0.0.0/24', 'IETF protocol assignments', false],
  ['192.0.0.0/29', 'IPv4 service continuity prefix', false],
  ['192.0.0.8/32', 'IPv4 dummy address', false],
  ['192.0.0.9/32', 'PCP anycast', true],
  ['192.0.0.10/32', 'TURN anycast', true],
  ['192.0.0.170/32', 'NAT64/DNS64 discovery', false],
  ['192.0.0.171/32', 'NAT64/DNS64 discovery', false],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)', false],
  ['192.31.196.0/24', 'AS112-v4', true],
  ['192.52.193.0/24', 'AMT', true],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast', false],
  ['192.168.0.0/16', 'private-use', false],
  ['192.175.48.0/24', 'AS112 direct delegation', true],
  ['198.18.0.0/15', 'benchmarking', false],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)', false],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)', false],
  ['224.0.0.0/4', 'multicast', false], // IANA multicast registry (RFC 5771)
  ['240.0.0.0/4', 'reserved', false],
  ['255.255.255.255/32', 'limited broadcast', false],
])

const ipv6Ranges = ranges([
  ['::/128', 'unspecified', false],
  ['::1/128', 'loopback', false],
  ['::/96', 'IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)', false],
  ['::ffff:0:0/96', 'IPv4-mapped', 'embedded'],
  ['64:ff9b::/96', 'NAT64 well-known prefix', 'embedded'],
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation', false],
  ['100::/64', 'discard-only', false],
  ['2001::/23', 'IETF protocol assignments', false],
  ['2001::/32', 'Teredo', 'embedded'],
  ['2001:1::1/128', 'PCP anycast', true],
  ['2001:1::2/128', 'TURN anycast', true],
  ['2001:1::3/128', 'DNS-SD SRP anycast', true],
  ['2001:2::/48', 'benchmarking', false],
  ['2001:3::/32', 'AMT', true],
  ['2001:4:112::/48', 'AS112-v6', true],
  ['2001:10::/28', 'deprecated ORCHID', false],
  ['2001:20::/28', 'ORCHIDv2', true],
  ['2001:30::/28', 'drone remote ID entity tags', true],
  ['2001:db8::/32', 'documentation', false],
  ['2002::/16', '6to4', 'embedded'],
  ['2620:4f:8000::/48', 'AS112 direct delegation', true],
  ['3fff::/20', 'documentation', false],
  ['5f00::/16', 'SRv6 SIDs', false],
  ['fc00::/7', 'unique-local', false],
  ['fe80::/10', 'link-local', false],
  ['fec0::/10', 'site-local (deprecated, RFC 3879)', false],
  ['ff00::/8', 'multicast', false],
])
const globalUnicast = ipaddr.parseCIDR('2000::/3')

/** The most specific range holding `address` (the registries nest: 2001:1::1/128 inside 2001::/23). */
function rangeOf(address: Address): Range | undefined {
  let best: Range | undefined
  for (const range of address.kind() === 'ipv4' ? ipv4Ranges : ipv6Ranges) {
    if (range.net[0].kind() === address.kind() && address.match(range.net) && (!best || range.net[1] > best.net[1])) best = range
  }
  return best
}

const ipv4At = (bytes: number[], offset: number, xor = 0) => new ipaddr.IPv4(bytes.slice(offset, offset + 4).map((b) => b ^ xor))

/** The IPv4 addresses an IPv6 address carries: mapped and NAT64 at the end, 6to4 after 2002:, Teredo's server and (inverted) client. */
export function embeddedIpv4(address: Address): ipaddr.IPv4[] {
  if (address.kind() === 'ipv4') return []
  const bytes = address.toByteArray()
  const range = rangeOf(address)
  if (range?.cidr === '2002::/16') return [ipv4At(bytes, 2)]
  if (range?.cidr === '2001::/32') return [ipv4At(bytes, 4), ipv4At(bytes, 12, 0xff)]
  if (range?.reach === 'embedded' || range?.cidr === '::/96') return [ipv4At(bytes, 12)]
  return []
}

/** Why `text` is not a globally reachable unicast address ("10.1.2.3 (10.0.0.0/8, private-use)"), or undefined when it is. */
export function notGlobal(text: string): string | undefined {
  let address: Address
  try {
    address = ipaddr.parse(text)
  } catch {
    return `${text} (not an IP address)`
  }
  const range = rangeOf(address)
  if (range?.reach === true) return undefined
  if (range?.reach === false) return `${text} (${range.cidr}, ${range.name})`
  if (range?.reach === 'embedded') {
    for (const ipv4 of embeddedIpv4(address)) {
      const why = notGlobal(ipv4.toString())
      if (why) return `${text} (${range.cidr}, ${range.name}) carrying ${why}`
    }
    return undefined
  }
  if (address.kind() === 'ipv6' && !address.match(globalUnicast)) return `${text} (outside the global unicast space 2000::/3)`
  return undefined
}
