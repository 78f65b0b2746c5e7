import { Directive, renderConfig, RenderedConfig } from './configTree';
import type {
  Domain,
  KubernetesSource,
} from '@internal/plugin-container-cloud-common';

/** The first line of every file this plugin writes; delivery only ever removes such files. */
export const MANAGED_MARKER = 'managed by container-cloud nginx';

/** nginx upstream names are global to `http {}`: each carries its domain's name. */
export function upstreamId(domain: Domain, upstream: string) {
  return `${domain.name}__${upstream}`;
}

function variable(domain: Domain, purpose: string) {
  return `$cc_${domain.name.replace(/-/g, '_')}_${purpose}`;
}

/**
 * The names a domain defines in nginx's namespaces that span the whole `http {}` block: its
 * upstreams and the variables of its gray release (nginx compares both case-insensitively).
 * Two domains of one cluster must not share any of them; `domainTree` emits exactly these.
 */
export function globalNames(domain: Domain): {
  upstreams: string[];
  variables: string[];
} {
  const gray = domain.grayRelease;
  const variables = gray
    ? [
        variable(domain, 'split'),
        ...(gray.cookie ? [variable(domain, 'cookie')] : []),
        ...(gray.header ? [variable(domain, 'header')] : []),
      ]
    : [];
  return {
    upstreams: domain.upstreams.map(u => upstreamId(domain, u.name)),
    variables,
  };
}

/** A member found in Kubernetes: one ready endpoint address and port. */
export interface Endpoint {
  address: string;
  port: number;
}

/** The ready endpoints of a Kubernetes source, as the cluster reports them now. */
export type EndpointLookup = (source: KubernetesSource) => Endpoint[];

const NO_ENDPOINTS: EndpointLookup = () => [];

const IPV4_ENDPOINT =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

// an upstream must hold a server: when no member is ready, one that is marked down (nginx 502s)
const PLACEHOLDER_MEMBER = ['127.0.0.1:9', 'down'];

function memberArgs(
  target: string,
  options: {
    weight?: number;
    maxFails?: number;
    failTimeoutSeconds?: number;
    backup?: boolean;
  },
) {
  const args = [target];
  if (options.weight !== undefined) args.push(`weight=${options.weight}`);
  if (options.maxFails !== undefined)
    args.push(`max_fails=${options.maxFails}`);
  if (options.failTimeoutSeconds !== undefined)
    args.push(`fail_timeout=${options.failTimeoutSeconds}s`);
  if (options.backup) args.push('backup');
  return args;
}

function upstreamBlocks(
  domain: Domain,
  endpoints: EndpointLookup,
): Directive[] {
  return domain.upstreams.map((upstream, u) => {
    const servers: Directive[] = upstream.members.map((member, m) => ({
      name: 'server',
      args: memberArgs(`${member.address}:${member.port}`, member),
      field: `upstreams[${u}].members[${m}]`,
    }));
    (upstream.kubernetes ?? []).forEach((source, k) => {
      const seen = new Set<string>();
      const found = endpoints(source)
        // the apiserver's word is not trusted into a config file either
        .filter(e => IPV4_ENDPOINT.test(e.address) && Number.isInteger(e.port))
        .map(e => `${e.address}:${e.port}`)
        .filter(target => !seen.has(target) && !!seen.add(target))
        .sort();
      for (const target of found) {
        servers.push({
          name: 'server',
          args: memberArgs(target, source),
          field: `upstreams[${u}].kubernetes[${k}]`,
        });
      }
    });
    if (!servers.some(server => !server.args.includes('backup'))) {
      servers.push({
        name: 'server',
        args: PLACEHOLDER_MEMBER,
        field: `upstreams[${u}]`,
      });
    }
    return {
      name: 'upstream',
      args: [upstreamId(domain, upstream.name)],
      field: `upstreams[${u}]`,
      children: servers,
    };
  });
}

/**
 * The gray release as `split_clients` (weight, per request) followed by `map`s that send a
 * matching cookie or header to the canary. Returns the blocks and the variable naming the
 * chosen upstream.
 */
function grayRelease(domain: Domain): {
  blocks: Directive[];
  target: string;
} {
  const gray = domain.grayRelease!;
  const stable = upstreamId(domain, gray.stable);
  const canary = upstreamId(domain, gray.canary);
  const field = 'grayRelease';
  const split = variable(domain, 'split');
  const entries: Directive[] = [];
  if (gray.canaryPercent === 100) {
    entries.push({ name: '*', args: [canary] });
  } else {
    if (gray.canaryPercent > 0) {
      entries.push({ name: `${gray.canaryPercent}%`, args: [canary] });
    }
    entries.push({ name: '*', args: [stable] });
  }
  const blocks: Directive[] = [
    {
      name: 'split_clients',
      args: ['$request_id', split],
      field: `${field}.canaryPercent`,
      children: entries,
    },
  ];
  let target = split;
  const rules = [
    gray.cookie && {
      source: `$cookie_${gray.cookie.name}`,
      value: gray.cookie.value,
      purpose: 'cookie',
    },
    gray.header && {
      source: `$http_${gray.header.name.toLowerCase().replace(/-/g, '_')}`,
      value: gray.header.value,
      purpose: 'header',
    },
  ];
  for (const rule of rules) {
    if (!rule) continue;
    const result = variable(domain, rule.purpose);
    blocks.push({
      name: 'map',
      args: [rule.source, result],
      field: `${field}.${rule.purpose}`,
      children: [
        { name: 'default', args: [target] },
        { name: rule.value, args: [canary] },
      ],
    });
    target = result;
  }
  return { blocks, target };
}

/** The configuration tree of one domain. */
export function domainTree(
  domain: Domain,
  endpoints: EndpointLookup = NO_ENDPOINTS,
): Directive[] {
  const gray = domain.grayRelease ? grayRelease(domain) : undefined;
  const locations: Directive[] = domain.locations.map((location, i) => {
    const viaGray = gray && location.upstream === domain.grayRelease!.stable;
    const target = viaGray
      ? gray.target
      : upstreamId(domain, location.upstream);
    return {
      name: 'location',
      args: [location.path],
      field: `locations[${i}]`,
      children: [
        { name: 'proxy_pass', args: [`http://${target}`] },
        { name: 'proxy_set_header', args: ['Host', '$host'] },
        { name: 'proxy_set_header', args: ['X-Real-IP', '$remote_addr'] },
        {
          name: 'proxy_set_header',
          args: ['X-Forwarded-For', '$proxy_add_x_forwarded_for'],
        },
      ],
    };
  });
  const server: Directive = {
    name: 'server',
    args: [],
    children: [
      ...domain.listen.map((listen, i) => ({
        name: 'listen',
        args: [
          listen.address
            ? `${listen.address}:${listen.port}`
            : `${listen.port}`,
        ],
        field: `listen[${i}]`,
      })),
      { name: 'server_name', args: domain.serverNames, field: 'serverNames' },
      ...locations,
    ],
  };
  return [
    ...upstreamBlocks(domain, endpoints),
    ...(gray?.blocks ?? []),
    server,
  ];
}

/** The file name of a domain in `conf.d/`. */
export function domainFileName(domain: Pick<Domain, 'name'>) {
  return `${domain.name}.conf`;
}

/** One domain as the text of its own `conf.d/` file. */
export function renderDomain(
  domain: Domain,
  endpoints: EndpointLookup = NO_ENDPOINTS,
): RenderedConfig {
  return renderConfig(domainTree(domain, endpoints), [
    MANAGED_MARKER,
    `domain ${domain.name}`,
  ]);
}
