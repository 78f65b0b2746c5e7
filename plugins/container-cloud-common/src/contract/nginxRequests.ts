/**
 * What the nginx backend accepts: the zod schema of every request body, query and path, checked
 * by the backend and typed for the frontend through `z.infer`. The messages are the answers a
 * person reads in a 400, so each names the field and what it should be; the limits keep every
 * value inside what nginx's config grammar can hold as a plain argument.
 */
import { z } from 'zod';

// RFC 1123 labels, lowercase ASCII only: lookalike letters from other scripts never match
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME = new RegExp(`^(?:${LABEL}\\.)*${LABEL}$`);
const WILDCARD_HOSTNAME = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);
const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._~/-]*$/;
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const COOKIE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MATCH_VALUE = /^[A-Za-z0-9._-]{1,64}$/;
// words with a meaning of their own as the first token of a `map` entry
const MAP_RESERVED = new Set(['default', 'hostnames', 'include', 'volatile']);

const slug = (what: string) =>
  z
    .string()
    .max(63, `${what} is at most 63 characters`)
    .regex(
      SLUG,
      `${what} must be lowercase letters, digits and '-' (an RFC 1123 label)`,
    );

const serverNameSchema = z
  .string()
  .max(253, 'a server name is at most 253 characters')
  .regex(
    WILDCARD_HOSTNAME,
    "a server name must be a lowercase RFC 1123 hostname, optionally starting with '*.'",
  );

const portSchema = z
  .number()
  .int('a port is a whole number')
  .min(1, 'a port is 1..65535')
  .max(65535, 'a port is 1..65535');

const addressSchema = z
  .string()
  .max(253, 'an address is at most 253 characters')
  .refine(
    value => IPV4.test(value) || HOSTNAME.test(value),
    'an address must be an IPv4 address or a lowercase RFC 1123 hostname',
  );

/** A static upstream member, e.g. a VM. @public */
export const upstreamMemberSchema = z.strictObject({
  address: addressSchema,
  port: portSchema,
  weight: z.number().int().min(1).max(100).optional(),
  maxFails: z.number().int().min(0).max(100).optional(),
  failTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
  backup: z.boolean().optional(),
});

// an IANA service name as Kubernetes ports use it: lowercase, at least one letter
const PORT_NAME = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * The ready endpoints of a Kubernetes Service, followed as pods come and go. `port` is the
 * endpoint (container) port: its number, or its name in the Service. `cluster` is a Kubernetes
 * cluster the nginx backend is configured with.
 * @public
 */
export const kubernetesSourceSchema = z.strictObject({
  cluster: slug('a Kubernetes cluster name'),
  namespace: slug('a namespace'),
  service: slug('a Service name'),
  port: z.union([
    portSchema,
    z
      .string()
      .regex(
        PORT_NAME,
        'a port name is 1..15 lowercase letters, digits and -, with a letter',
      ),
  ]),
  weight: z.number().int().min(1).max(100).optional(),
  maxFails: z.number().int().min(0).max(100).optional(),
  failTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
});

/** @public */
export const upstreamSchema = z
  .strictObject({
    name: slug('an upstream name'),
    /** static members, e.g. VM addresses */
    members: z.array(upstreamMemberSchema).max(256),
    /** Kubernetes Services whose ready endpoints are members too */
    kubernetes: z.array(kubernetesSourceSchema).max(8).optional(),
  })
  .refine(
    upstream =>
      upstream.members.length + (upstream.kubernetes?.length ?? 0) > 0,
    {
      message: 'an upstream needs a static member or a Kubernetes Service',
      path: ['members'],
    },
  );

/**
 * A domain's saved version: 1 when it is first saved, one more on every change. A save or a
 * member update names the version it was made from (0 for a new domain); a stale one is a 409
 * with the domain as it is now.
 */
const domainVersionSchema = z
  .number({
    error: issue =>
      issue.input === undefined
        ? 'a version is required: the version of the domain the change was made from (0 for a new domain)'
        : 'a version is a whole number',
  })
  .int('a version is a whole number')
  .min(0, 'a version is 0 (a new domain) or more')
  .max(2147483647, 'no domain has a version that large');

/** The part of a domain its owners may edit: the members of its upstreams. @public */
export const upstreamMembersChangeSchema = z.strictObject({
  /** the version of the domain the change was made from */
  version: domainVersionSchema,
  upstreams: z
    .array(
      z.strictObject({
        name: slug('an upstream name'),
        members: z.array(upstreamMemberSchema).max(256),
        kubernetes: z.array(kubernetesSourceSchema).max(8).optional(),
      }),
    )
    .min(1)
    .max(32),
});

// the catalog entity that owns a domain: a Component, as `component:<namespace>/<name>`
const COMPONENT_REF =
  /^component:[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?\/[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;

const locationSchema = z.strictObject({
  path: z
    .string()
    .max(256, 'a location path is at most 256 characters')
    .regex(
      PATH,
      "a location path starts with '/' and holds only letters, digits and . _ ~ / -",
    ),
  upstream: slug('an upstream name'),
});

const matchValue = z
  .string()
  .regex(MATCH_VALUE, 'a match value is 1..64 letters, digits, . _ or -')
  .refine(
    value => !MAP_RESERVED.has(value),
    'default, hostnames, include and volatile cannot be match values',
  );

/** Splits the requests of the locations pointing at `stable` between it and `canary`. @public */
export const grayReleaseSchema = z.strictObject({
  /** locations pointing at `stable` are split between it and `canary` */
  stable: slug('an upstream name'),
  canary: slug('an upstream name'),
  /** share of requests sent to the canary, 0..100 */
  canaryPercent: z.number().int().min(0).max(100),
  /** requests with this header value always go to the canary */
  header: z
    .strictObject({
      name: z
        .string()
        .regex(HEADER_NAME, 'a header name is letters, digits and -'),
      value: matchValue,
    })
    .optional(),
  /** requests with this cookie value always go to the canary */
  cookie: z
    .strictObject({
      name: z
        .string()
        .regex(COOKIE_NAME, 'a cookie name is letters, digits and _'),
      value: matchValue,
    })
    .optional(),
});

const listenSchema = z.strictObject({
  address: z
    .string()
    .regex(IPV4, 'a listen address is an IPv4 address')
    .optional(),
  port: portSchema,
});

const domainFields = {
  name: slug('a domain name'),
  cluster: slug('a cluster name'),
  /** the service the domain belongs to; its owners may edit the upstream members */
  owner: z
    .string()
    .max(200, 'an owner is at most 200 characters')
    .regex(
      COMPONENT_REF,
      "an owner is a catalog Component's ref, e.g. component:default/payments-api",
    )
    .optional(),
  serverNames: z.array(serverNameSchema).min(1).max(32),
  listen: z.array(listenSchema).min(1).max(4),
  upstreams: z.array(upstreamSchema).min(1).max(32),
  locations: z.array(locationSchema).min(1).max(64),
  grayRelease: grayReleaseSchema.optional(),
};

function refineDomain(
  domain: z.infer<z.ZodObject<typeof domainFields>>,
  ctx: z.RefinementCtx,
) {
  const names = domain.upstreams.map(u => u.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      ctx.addIssue({
        code: 'custom',
        path: ['upstreams', i, 'name'],
        message: `upstream '${name}' is defined twice`,
      });
    }
  });
  domain.locations.forEach((location, i) => {
    if (!names.includes(location.upstream)) {
      ctx.addIssue({
        code: 'custom',
        path: ['locations', i, 'upstream'],
        message: `no upstream named '${location.upstream}'`,
      });
    }
  });
  const gray = domain.grayRelease;
  if (gray) {
    for (const key of ['stable', 'canary'] as const) {
      if (!names.includes(gray[key])) {
        ctx.addIssue({
          code: 'custom',
          path: ['grayRelease', key],
          message: `no upstream named '${gray[key]}'`,
        });
      }
    }
    if (gray.stable === gray.canary) {
      ctx.addIssue({
        code: 'custom',
        path: ['grayRelease', 'canary'],
        message: 'the canary must be another upstream than the stable one',
      });
    }
  }
}

/** One domain of an nginx cluster, as its owners and ops describe it. @public */
export const domainSchema = z
  .strictObject(domainFields)
  .superRefine(refineDomain);

/**
 * `POST /domains`: a whole domain and the version it was made from (0 for a new domain). @public
 */
export const domainSaveSchema = z
  .strictObject({ ...domainFields, version: domainVersionSchema })
  .superRefine(refineDomain);
/** @public */
export type DomainSave = z.infer<typeof domainSaveSchema>;

/** A saved domain as the backend answers it: the domain and its version. @public */
export const domainViewSchema = z.object({
  ...domainFields,
  version: z.number().int(),
});
/** @public */
export type DomainView = z.infer<typeof domainViewSchema>;

/** @public */
export type UpstreamMember = z.infer<typeof upstreamMemberSchema>;
/** @public */
export type KubernetesSource = z.infer<typeof kubernetesSourceSchema>;
/** @public */
export type Upstream = z.infer<typeof upstreamSchema>;
/** @public */
export type GrayRelease = z.infer<typeof grayReleaseSchema>;
/** @public */
export type Domain = z.infer<typeof domainSchema>;
/** The members of some upstreams of a domain: what a service's owners may change. @public */
export type UpstreamMembersChange = z.infer<typeof upstreamMembersChangeSchema>;

// names in paths and queries, with the words the router has always answered with
const pathName = (what: string) =>
  z.string().regex(SLUG, `${what}: lowercase letters, digits and '-'`);

/** An nginx cluster's name, as the backend's config names it. @public */
export const nginxClusterNameSchema = pathName('a cluster name');

/**
 * A version's number: a positive integer the database's id column holds (PostgreSQL's integer
 * ends at 2147483647; a larger number was a 500 before the fuzzer found it). @public
 */
export const nginxVersionIdSchema = z.coerce
  .number()
  .int('a version is a whole number')
  .min(1, 'versions start at 1')
  .max(2147483647, 'no version has a number that large');

const message = z
  .string()
  .max(1000, 'a message is at most 1000 characters')
  .refine(
    text => ![...text].some(c => c < ' ' && c !== '\t' && c !== '\n'),
    'a message holds no control characters',
  )
  .optional();

/** `POST /publish`: the cluster's domains as they are now become its next version. @public */
export const nginxPublishSchema = z.strictObject({
  cluster: nginxClusterNameSchema,
  message,
});
/** @public */
export type NginxPublishRequest = z.infer<typeof nginxPublishSchema>;

/** `POST /rollback`: an earlier version becomes the next one, byte for byte. @public */
export const nginxRollbackSchema = z.strictObject({
  cluster: nginxClusterNameSchema,
  version: nginxVersionIdSchema,
  message,
});
/** @public */
export type NginxRollbackRequest = z.infer<typeof nginxRollbackSchema>;

/** One domain, by its path (`/domains/:cluster/:name`). @public */
export const nginxDomainParamsSchema = z.object({
  cluster: nginxClusterNameSchema,
  name: pathName('a domain name'),
});

/** One version, by its path (`/versions/:id`). @public */
export const nginxVersionParamsSchema = z.object({ id: nginxVersionIdSchema });

/** The query of the routes about one cluster (`?cluster=`). @public */
export const nginxClusterQuerySchema = z.object({
  cluster: nginxClusterNameSchema,
});

/** `GET /domains`: every cluster's, or one's. @public */
export const nginxDomainsQuerySchema = z.object({
  cluster: nginxClusterNameSchema.optional(),
});

/** `GET /entity-domains`: the domains a catalog Component owns. @public */
export const nginxEntityQuerySchema = z.object({
  entityRef: z
    .string()
    .max(200)
    .regex(/^component:[^\s/]+\/[^\s/]+$/, 'a Component ref'),
});

/** `GET /diff`: two versions of one cluster. @public */
export const nginxDiffQuerySchema = z.object({
  cluster: nginxClusterNameSchema,
  from: nginxVersionIdSchema,
  to: nginxVersionIdSchema,
});
