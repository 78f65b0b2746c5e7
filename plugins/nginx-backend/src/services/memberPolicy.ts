import type { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { ClusterDetails } from '@internal/plugin-container-cloud-node';

/** An IPv4 range, as a number and a prefix length. */
interface Range {
  text: string;
  base: number;
  bits: number;
  what?: string;
}

/** What an owner may not point a domain's upstream at; ops admins may. */
export interface ForbiddenMembers {
  ranges: Range[];
  /** the apiservers (address or hostname, port): a public domain must never proxy to them */
  endpoints: Array<{ host: string; port: number; what: string }>;
}

const KEY = 'containerCloud.nginx.forbiddenMemberRanges';

/** "This network", loopback and link-local (where cloud metadata services answer). */
export const DEFAULT_FORBIDDEN_RANGES = [
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
];
const RANGE_NAMES: Record<string, string> = {
  '0.0.0.0/8': 'this network',
  '127.0.0.0/8': 'loopback',
  '169.254.0.0/16': 'link-local, where cloud metadata services answer',
};

/**
 * An IPv4 address as a resolver reads it (inet_aton): one to four parts, each decimal, octal
 * (`0177`) or hexadecimal (`0x7f`), the last filling the bytes left (`127.1`, `2130706433`).
 * `localhost` and its subdomains are loopback. Undefined for a name DNS has to resolve.
 */
export function ipv4Of(address: string): number | undefined {
  const host = address.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 0x7f000001;
  const parts = host.split('.');
  if (parts.length > 4) return undefined;
  const numbers = parts.map(part => {
    if (/^0x[0-9a-f]*$/.test(part))
      return part.length > 2 ? parseInt(part, 16) : 0;
    if (/^0[0-7]*$/.test(part)) return parseInt(part, 8);
    if (/^[1-9][0-9]*$/.test(part)) return parseInt(part, 10);
    return NaN;
  });
  if (numbers.some(n => !Number.isSafeInteger(n))) return undefined;
  const last = numbers[numbers.length - 1];
  const leading = numbers.slice(0, -1);
  if (leading.some(n => n > 255)) return undefined;
  if (last >= 2 ** (8 * (5 - numbers.length))) return undefined;
  return leading.reduce((sum, n, i) => sum + n * 2 ** (8 * (3 - i)), 0) + last;
}

function dotted(ip: number): string {
  return [24, 16, 8, 0]
    .map(shift => Math.floor(ip / 2 ** shift) % 256)
    .join('.');
}

function parseRange(text: string): Range {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text);
  const base = match ? ipv4Of(match[1]) : undefined;
  const bits = match ? Number(match[2]) : NaN;
  if (base === undefined || !(bits >= 0 && bits <= 32)) {
    throw new Error(
      `${KEY}: "${text}" is no IPv4 range such as 169.254.0.0/16`,
    );
  }
  return { text, base, bits, what: RANGE_NAMES[text] };
}

function inRange(ip: number, range: Range): boolean {
  const size = 2 ** (32 - range.bits);
  return Math.floor(ip / size) === Math.floor(range.base / size);
}

/**
 * `containerCloud.nginx.forbiddenMemberRanges` (IPv4 ranges; default DEFAULT_FORBIDDEN_RANGES;
 * the local cloud, whose services listen on loopback, leaves loopback out), and the apiservers of
 * `kubernetes.clusterLocatorMethods`, always.
 */
export function readForbiddenMembers(
  config: Config,
  apiservers: ClusterDetails[],
): ForbiddenMembers {
  return forbiddenMembers(
    config.getOptionalStringArray(KEY) ?? DEFAULT_FORBIDDEN_RANGES,
    apiservers,
  );
}

/** The ranges (IPv4 CIDRs) and the apiservers' endpoints as one rule set. */
export function forbiddenMembers(
  ranges: string[],
  apiservers: Array<Pick<ClusterDetails, 'name' | 'url'>>,
): ForbiddenMembers {
  const endpoints = apiservers.map(cluster => {
    const url = new URL(cluster.url);
    return {
      host: url.hostname.toLowerCase(),
      port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
      what: `the apiserver of cluster ${cluster.name}`,
    };
  });
  return { ranges: ranges.map(parseRange), endpoints };
}

/** Why an owner may not add this member, or undefined when they may. */
export function whyForbidden(
  member: { address: string; port: number },
  forbidden: ForbiddenMembers,
): string | undefined {
  const ip = ipv4Of(member.address);
  const shown =
    ip !== undefined && dotted(ip) !== member.address
      ? `${member.address} (${dotted(ip)})`
      : member.address;
  for (const endpoint of forbidden.endpoints) {
    const same =
      endpoint.host === member.address.toLowerCase() ||
      (ip !== undefined && ipv4Of(endpoint.host) === ip);
    if (same && endpoint.port === member.port) {
      return `${shown}:${member.port} is ${endpoint.what}`;
    }
  }
  if (ip === undefined) return undefined;
  const range = forbidden.ranges.find(r => inRange(ip, r));
  if (!range) return undefined;
  return `${shown} is in ${range.text}${range.what ? ` (${range.what})` : ''}`;
}

/**
 * Refuses (403, every reason in one message) an owner's upstream members that point at an
 * address only ops admins may use.
 */
export function checkOwnerMembers(
  upstreams: Array<{
    name: string;
    members: Array<{ address: string; port: number }>;
  }>,
  forbidden: ForbiddenMembers,
): void {
  const reasons = upstreams.flatMap(upstream =>
    upstream.members.flatMap(member => {
      const why = whyForbidden(member, forbidden);
      return why ? [`upstream ${upstream.name}: ${why}`] : [];
    }),
  );
  if (reasons.length > 0) {
    throw new NotAllowedError(
      `only ops admins may point a domain at these addresses (${KEY}): ${reasons.join(
        '; ',
      )}`,
    );
  }
}

/** Resolves a name to every address it has, as `dns.promises.lookup(name, { all: true })`. */
export type MemberLookup = (
  hostname: string,
) => Promise<Array<{ address: string; family: number }>>;

/** How long one name may take to resolve before an owner's save is refused. */
export const DEFAULT_MEMBER_LOOKUP_MS = 3000;

const systemLookup: MemberLookup = hostname =>
  dns.lookup(hostname, { all: true, verbatim: true });

/**
 * The IPv4 address an IPv6 one is checked as: loopback (`::1`) as 127.0.0.1, unspecified (`::`)
 * as 0.0.0.0, link-local (`fe80::/10`) as 169.254.0.0, an IPv4-mapped one (`::ffff:a.b.c.d`) as
 * itself; undefined for any other (no forbidden IPv6 ranges are configurable).
 */
function ipv4Counterpart(ipv6: string): string | undefined {
  const address = ipv6.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1];
  if (address === '::1') return '127.0.0.1';
  if (address === '::') return '0.0.0.0';
  if (/^fe[89ab][0-9a-f]:/.test(address)) return '169.254.0.0';
  return undefined;
}

/** Whether an address is a name a resolver looks up (`localhost` included), not a numeric form. */
function isName(address: string): boolean {
  if (isIP(address) !== 0) return false;
  return (
    ipv4Of(address) === undefined || /^([a-z0-9-]+\.)*localhost$/i.test(address)
  );
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('timed out'), { code: 'ETIMEOUT' })),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Why an owner may not add a member named by a hostname, after resolving it; undefined if they may. */
async function whyNameForbidden(
  member: { address: string; port: number },
  forbidden: ForbiddenMembers,
  lookup: MemberLookup,
  timeoutMs: number,
): Promise<string | undefined> {
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await withDeadline(lookup(member.address), timeoutMs);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'no answer';
    return `${member.address} does not resolve (${
      code === 'ETIMEOUT' ? `no answer within ${timeoutMs} ms` : code
    }); a name that does not resolve now could later point anywhere`;
  }
  if (addresses.length === 0) return `${member.address} resolves to nothing`;
  for (const { address } of addresses) {
    const ipv4 = isIP(address) === 6 ? ipv4Counterpart(address) : address;
    if (ipv4 === undefined) continue;
    const why = whyForbidden({ address: ipv4, port: member.port }, forbidden);
    if (why) {
      return `${member.address} resolves to ${address}${
        ipv4 !== address ? ` (read as ${ipv4})` : ''
      }, and ${why}`;
    }
  }
  return undefined;
}

/**
 * Refuses (403, every reason in one message) an owner's upstream members named by hostnames that
 * resolve (through the system resolver, `dns.promises.lookup` with `all: true`, each name within
 * `timeoutMs`) to an address only ops admins may use, or that do not resolve at all. Numeric
 * forms are `checkOwnerMembers`'s alone; every name is resolved (`localhost` too, whatever the
 * resolver makes of it). Nginx resolves
 * the names again when it loads the configuration: a name whose owner changes its records later
 * is not checked again (see SECURITY.md).
 */
export async function checkOwnerMemberNames(
  upstreams: Array<{
    name: string;
    members: Array<{ address: string; port: number }>;
  }>,
  forbidden: ForbiddenMembers,
  options: { lookup?: MemberLookup; timeoutMs?: number } = {},
): Promise<void> {
  const lookup = options.lookup ?? systemLookup;
  const timeoutMs = options.timeoutMs ?? DEFAULT_MEMBER_LOOKUP_MS;
  const checks = upstreams.flatMap(upstream =>
    upstream.members
      .filter(m => isName(m.address))
      .map(async member => {
        const why = await whyNameForbidden(
          member,
          forbidden,
          lookup,
          timeoutMs,
        );
        return why ? `upstream ${upstream.name}: ${why}` : undefined;
      }),
  );
  const reasons = (await Promise.all(checks)).filter(
    (r): r is string => r !== undefined,
  );
  if (reasons.length > 0) {
    throw new NotAllowedError(
      `only ops admins may point a domain at these names (${KEY}): ${reasons.join(
        '; ',
      )}`,
    );
  }
}
