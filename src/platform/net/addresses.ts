import { isIP } from 'node:net';

/**
 * Address classes a check of a tenant's host must never reach by default: whatever the tenant
 * types, the worker would otherwise probe the installation's own network (the database, the
 * metadata service at 169.254.169.254, the cluster's services). Parsed to bytes and compared by
 * prefix, so every spelling of an address (::ffff:127.0.0.1, ::ffff:7f00:1, 0:0:0:0:0:0:0:1) is
 * the same address, and IPv6 forms that carry an IPv4 address are judged by that address too.
 */
interface Range {
  bytes: Uint8Array;
  prefix: number;
  reason: string;
}

export type AddressBytes = Uint8Array;

function parseV4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (const [index, part] of parts.entries()) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[index] = value;
  }
  return bytes;
}

function parseV6(text: string): Uint8Array | null {
  if (isIP(text) !== 6) return null;
  let body = text.toLowerCase();
  // A trailing dotted IPv4 part (::ffff:127.0.0.1) becomes its two hex groups (::ffff:7f00:1).
  const lastColon = body.lastIndexOf(':');
  const dotted = body.slice(lastColon + 1);
  if (dotted.includes('.')) {
    const v4 = parseV4(dotted);
    if (!v4) return null;
    const high = ((v4[0] ?? 0) << 8) | (v4[1] ?? 0);
    const low = ((v4[2] ?? 0) << 8) | (v4[3] ?? 0);
    body = `${body.slice(0, lastColon + 1)}${high.toString(16)}:${low.toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? Number.parseInt(group, 16) : -1));
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const words = [...left, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...right];
  if (words.some((word) => word < 0)) return null;
  const bytes = new Uint8Array(16);
  for (const [index, word] of words.entries()) {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  }
  return bytes;
}

/** An IP address as 4 or 16 bytes; null for anything else (a zone id such as fe80::1%eth0 included). */
export function addressBytes(address: string): AddressBytes | null {
  const kind = isIP(address);
  if (kind === 4) return parseV4(address);
  if (kind === 6) return parseV6(address);
  return null;
}

function range(cidr: string, reason: string): Range {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`bad range ${cidr}`);
  return { ...parsed, reason };
}

/** "10.0.0.0/8", "::1" (one address): bytes and prefix length; null if it is not one. */
export function parseCidr(text: string): { bytes: Uint8Array; prefix: number } | null {
  const [address = '', length, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const bytes = addressBytes(address);
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (length !== undefined && !/^\d{1,3}$/.test(length)) return null;
  const prefix = length === undefined ? max : Number(length);
  if (prefix > max) return null;
  return { bytes, prefix };
}

function within(bytes: Uint8Array, candidate: { bytes: Uint8Array; prefix: number }): boolean {
  if (bytes.length !== candidate.bytes.length) return false;
  const full = Math.floor(candidate.prefix / 8);
  for (let index = 0; index < full; index += 1) if (bytes[index] !== candidate.bytes[index]) return false;
  const bits = candidate.prefix % 8;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((bytes[full] ?? 0) & mask) === ((candidate.bytes[full] ?? 0) & mask);
}

const refusedV4: readonly Range[] = [
  range('0.0.0.0/8', 'this-network'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'shared-cgnat'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'special-purpose'),
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', 'relay-anycast'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  // 240/4 is reserved; 255.255.255.255 (broadcast) is inside it.
  range('240.0.0.0/4', 'reserved-broadcast'),
];

const refusedV6: readonly Range[] = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('64:ff9b:1::/48', 'nat64-local'),
  range('100::/64', 'discard'),
  // Teredo hides its IPv4 address (inverted bits): nothing a tenant's own host needs.
  range('2001::/32', 'teredo'),
  range('2001:db8::/32', 'documentation'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('ff00::/8', 'multicast'),
];

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4); null if none. */
export function embeddedV4(bytes: AddressBytes): Uint8Array | null {
  if (bytes.length !== 16) return null;
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated but still routed by some stacks)
  if (zeros(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (bytes[10] === 0 && bytes[11] === 0)))
    return bytes.slice(12, 16);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12))
    return bytes.slice(12, 16);
  // 2002:aabb:ccdd::/48 (6to4)
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

/** A parsed allow-list (ATTEST_CHECK_ALLOW_PRIVATE): the ranges the operator lets checks reach. */
export type AllowList = readonly { bytes: Uint8Array; prefix: number }[];

export function parseAllowList(text: string): AllowList {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const parsed = parseCidr(entry);
    if (!parsed) throw new Error(`not an address or range: ${entry}`);
    return parsed;
  });
}

/**
 * Why `address` may not be reached ('loopback', 'private', …), or null if it may: a public
 * address, or one inside the operator's allow-list. Anything that does not parse is refused.
 */
export function refusalOf(address: string, allow: AllowList = []): string | null {
  const bytes = addressBytes(address);
  if (!bytes) return 'not-an-address';
  const inner = embeddedV4(bytes);
  if (allow.some((entry) => within(bytes, entry) || (inner !== null && within(inner, entry)))) return null;
  const own = (bytes.length === 4 ? refusedV4 : refusedV6).find((entry) => within(bytes, entry));
  if (own) return own.reason;
  if (inner) {
    const carried = refusedV4.find((entry) => within(inner, entry));
    if (carried) return `${carried.reason}-in-ipv6`;
  }
  return null;
}
